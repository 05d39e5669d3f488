#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "s3/digest.hpp"
#include "s3/multipart_uploader.hpp"
#include "s3/time_format.hpp"

namespace s3 {
namespace {

constexpr std::uint64_t k_min_part = 8ull << 20;
constexpr std::uint64_t k_max_parts = 10000;
constexpr std::uint64_t k_max_object = 5ull << 40;  // S3's 5 TiB

tl::unexpected<UploadFailure> failure(Error error, std::string upload_id = {}) {
  return tl::unexpected(UploadFailure{std::move(error), std::move(upload_id), {}});
}

tl::unexpected<UploadFailure> stored_but(Error error, std::string version_id) {
  return tl::unexpected(UploadFailure{std::move(error), {}, std::move(version_id)});
}

// Reads exactly `size` bytes into `out`.
Result<void> read_exactly(http::BodySource& source, std::string& out, std::uint64_t size) {
  out.resize(size);
  std::uint64_t filled = 0;
  while (filled < size) {
    auto n = source.read(out.data() + filled, size - filled);
    if (!n)
      return make_error(Error::Kind::source, "reading the data to upload failed: " + n.error());
    if (*n == 0) {
      return make_error(Error::Kind::source, "the data to upload ended early (" +
                                                 std::to_string(filled) + " of " +
                                                 std::to_string(size) + " bytes of a part)");
    }
    filled += *n;
  }
  return {};
}

std::string bare_etag(std::string etag) {
  etag.erase(std::remove(etag.begin(), etag.end(), '"'), etag.end());
  return etag;
}

// The parts of one multipart upload: buffers recycled through a bounded pool, a queue of
// filled parts for the workers, the first error.
class PartPipeline {
 public:
  PartPipeline(std::size_t buffers, std::uint64_t total,
               std::function<void(std::uint64_t, std::uint64_t)> progress)
      : m_total(total), m_progress(std::move(progress)) {
    m_pool.resize(buffers);
    for (auto& b : m_pool) m_free.push_back(&b);
  }

  struct Job {
    int number = 0;
    std::string* buffer = nullptr;
  };

  // Blocks until a buffer is free; nullptr once the upload failed.
  std::string* acquire() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_free.empty() || m_failed; });
    if (m_failed) return nullptr;
    auto* b = m_free.front();
    m_free.pop_front();
    return b;
  }
  void submit(Job job) {
    std::lock_guard lock(m_mutex);
    m_jobs.push_back(job);
    m_changed.notify_all();
  }
  void finish_input() {
    std::lock_guard lock(m_mutex);
    m_input_done = true;
    m_changed.notify_all();
  }
  // A worker's next job; nullopt when there is none left or the upload failed.
  std::optional<Job> next() {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return !m_jobs.empty() || m_input_done || m_failed; });
    if (m_failed || m_jobs.empty()) return std::nullopt;
    auto job = m_jobs.front();
    m_jobs.pop_front();
    return job;
  }
  void done(const Job& job, CompletedPart part) {
    std::lock_guard lock(m_mutex);
    m_done_bytes += job.buffer->size();
    m_parts[job.number] = std::move(part);
    m_free.push_back(job.buffer);
    if (m_progress) m_progress(m_done_bytes, m_total);
    m_changed.notify_all();
  }
  void release(std::string* buffer) {
    std::lock_guard lock(m_mutex);
    m_free.push_back(buffer);
    m_changed.notify_all();
  }
  void fail(Error error) {
    std::lock_guard lock(m_mutex);
    if (!m_failed) m_error = std::move(error);
    m_failed = true;
    m_changed.notify_all();
  }
  bool failed() {
    std::lock_guard lock(m_mutex);
    return m_failed;
  }
  Error error() {
    std::lock_guard lock(m_mutex);
    return m_error;
  }
  std::vector<CompletedPart> parts() {
    std::lock_guard lock(m_mutex);
    std::vector<CompletedPart> out;
    for (auto& [n, p] : m_parts) out.push_back(p);
    return out;
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::string> m_pool;
  std::deque<std::string*> m_free;
  std::deque<Job> m_jobs;
  std::map<int, CompletedPart> m_parts;
  bool m_input_done = false;
  bool m_failed = false;
  Error m_error;
  std::uint64_t m_done_bytes = 0;
  std::uint64_t m_total = 0;
  std::function<void(std::uint64_t, std::uint64_t)> m_progress;
};

void run_worker(Client& client, const std::string& key, const std::string& upload_id,
                Client::PartDigests digests, PartPipeline& pipeline) {
  while (auto job = pipeline.next()) {
    auto part = client.upload_part(key, upload_id, job->number, *job->buffer, digests);
    if (!part) {
      pipeline.release(job->buffer);
      pipeline.fail(part.error());
      return;
    }
    pipeline.done(*job, CompletedPart{job->number, part->etag, part->checksum_sha256});
  }
}

Result<std::map<int, PartSummary>> stored_parts(Client& client, const std::string& key,
                                                const std::string& upload_id) {
  std::map<int, PartSummary> out;
  int marker = 0;
  for (int page = 0; page < 10; ++page) {  // 10 pages of 1000: every possible part
    auto listed = client.list_parts(key, upload_id, marker);
    if (!listed) return tl::unexpected(listed.error());
    for (auto& p : listed->parts) out[p.number] = p;
    if (!listed->truncated) return out;
    if (listed->next_part_number_marker <= marker) break;
    marker = listed->next_part_number_marker;
  }
  return make_error(Error::Kind::bad_answer,
                    "ListParts of upload " + upload_id + " does not end after 10000 parts");
}

// HEAD the new version and check that the server holds what was sent.
tl::expected<UploadReceipt, UploadFailure> confirm(Client& client, UploadReceipt receipt,
                                                   const std::string& expected_etag,
                                                   const PutOptions& put) {
  auto head = client.head_object(receipt.key, receipt.version_id);
  if (!head) return failure(head.error());
  auto mismatch = [&](const std::string& what) {
    return failure(Error{Error::Kind::bad_digest,
                         0,
                         {},
                         "after uploading " + client.options().bucket + "/" + receipt.key +
                             " HEAD shows " + what + ": the stored object is not what was sent",
                         {}});
  };
  if (head->size != receipt.size) {
    return mismatch("size " + std::to_string(head->size) + " (sent " +
                    std::to_string(receipt.size) + ")");
  }
  if (!expected_etag.empty() && bare_etag(head->etag) != bare_etag(expected_etag)) {
    return mismatch("ETag " + head->etag + " (expected " + expected_etag + ")");
  }
  if (receipt.version_id.empty()) receipt.version_id = head->version_id;
  receipt.etag = head->etag;
  receipt.retention = head->retention;
  receipt.checksum_sha256 = head->checksum_sha256;
  if (!head->checksum_sha256.empty() && !receipt.composite_sha256.empty() &&
      head->checksum_sha256 != receipt.composite_sha256) {
    return mismatch("checksum " + head->checksum_sha256 + " (sent " + receipt.composite_sha256 +
                    ")");
  }
  if (put.retention) {
    const auto& want = *put.retention;
    const auto& got = head->retention;
    if (!got || got->mode != want.mode || got->retain_until < want.retain_until) {
      return failure(Error{Error::Kind::lock_not_applied,
                           0,
                           {},
                           client.options().bucket + "/" + receipt.key + " (version " +
                               receipt.version_id + ") was stored but HEAD shows " +
                               (got ? std::string(to_string(got->mode)) + " until " +
                                          format_iso8601(got->retain_until)
                                    : std::string("no Object Lock")) +
                               " instead of " + to_string(want.mode) + " until " +
                               format_iso8601(want.retain_until),
                           {}});
    }
  }
  return receipt;
}

}  // namespace

tl::expected<UploadReceipt, UploadFailure> upload_object(Client& client, const std::string& key,
                                                         http::BodySource& source,
                                                         const PutOptions& put,
                                                         const UploaderOptions& options) {
  const std::uint64_t total = source.size();
  if (total > k_max_object) {
    return failure(Error{
        Error::Kind::invalid_argument,
        0,
        {},
        "S3 objects are at most 5 TiB; " + key + " would be " + std::to_string(total) + " bytes",
        {}});
  }
  std::uint64_t part_size = std::max(options.part_size, k_min_part);
  while ((total + part_size - 1) / part_size > k_max_parts) part_size *= 2;

  UploadReceipt receipt;
  receipt.key = key;
  receipt.size = total;
  Digest whole(Digest::Algorithm::sha256);

  if (total <= part_size && options.resume_upload_id.empty()) {
    std::string data;
    if (auto ok = read_exactly(source, data, total); !ok) return failure(ok.error());
    const std::string digest = sha256(data);
    if (options.whole_sha256) receipt.sha256_hex = to_hex(digest);
    if (options.sha256_checksums) receipt.composite_sha256 = to_base64(digest);
    auto put_result = client.put_object(key, data, put);
    if (!put_result) return failure(put_result.error());
    if (options.on_progress) options.on_progress(total, total);
    receipt.version_id = put_result->version_id;
    const std::string version = receipt.version_id;
    auto confirmed = confirm(client, std::move(receipt), "\"" + to_hex(md5(data)) + "\"", put);
    if (!confirmed) return stored_but(confirmed.error().error, version);
    return confirmed;
  }

  std::string upload_id = options.resume_upload_id;
  std::map<int, PartSummary> existing;
  if (upload_id.empty()) {
    auto created = client.create_multipart_upload(key, put, options.sha256_checksums);
    if (!created) return failure(created.error());
    upload_id = *created;
  } else {
    auto listed = stored_parts(client, key, upload_id);
    if (!listed) return failure(listed.error(), upload_id);
    existing = std::move(*listed);
  }
  receipt.upload_id = upload_id;
  auto give_up = [&](Error error) {
    if (options.abort_on_failure && client.abort_multipart_upload(key, upload_id)) {
      return failure(std::move(error));
    }
    return failure(std::move(error), upload_id);
  };

  const int in_flight = std::clamp(options.parts_in_flight, 1, 16);
  std::vector<std::unique_ptr<Client>> workers;
  for (int i = 0; i < in_flight; ++i) {
    auto worker = client.clone(options.max_send_bytes_per_second / in_flight);
    if (!worker) return give_up(worker.error());
    workers.push_back(std::move(*worker));
  }
  PartPipeline pipeline(static_cast<std::size_t>(in_flight) + 1, total, options.on_progress);
  std::vector<std::thread> threads;
  for (auto& w : workers) {
    threads.emplace_back([&, worker = w.get()] {
      run_worker(*worker, key, upload_id, {options.content_md5, options.sha256_checksums},
                 pipeline);
    });
  }

  std::uint64_t offset = 0;
  int number = 0;
  while (offset < total) {
    ++number;
    const std::uint64_t len = std::min(part_size, total - offset);
    std::string* buffer = pipeline.acquire();
    if (!buffer) break;
    if (auto ok = read_exactly(source, *buffer, len); !ok) {
      pipeline.release(buffer);
      pipeline.fail(ok.error());
      break;
    }
    if (options.whole_sha256) whole.update(*buffer);
    offset += len;
    const auto found = existing.find(number);
    if (found != existing.end() && found->second.size == len &&
        bare_etag(found->second.etag) == to_hex(md5(*buffer))) {
      ++receipt.parts_reused;
      pipeline.done(PartPipeline::Job{number, buffer},
                    CompletedPart{number, found->second.etag,
                                  options.sha256_checksums ? to_base64(sha256(*buffer)) : ""});
      continue;
    }
    pipeline.submit(PartPipeline::Job{number, buffer});
  }
  pipeline.finish_input();
  for (auto& t : threads) t.join();
  if (pipeline.failed()) return give_up(pipeline.error());

  auto parts = pipeline.parts();
  if (!options.sha256_checksums) {
    for (auto& p : parts) p.checksum_sha256.clear();
  }
  receipt.parts = static_cast<int>(parts.size());
  receipt.part_size = part_size;
  if (options.whole_sha256) receipt.sha256_hex = to_hex(whole.finish());
  if (options.sha256_checksums) {
    std::vector<std::string> checksums;
    for (const auto& p : parts) checksums.push_back(p.checksum_sha256);
    receipt.composite_sha256 = composite_sha256(checksums);
  }
  auto completed = client.complete_multipart_upload(key, upload_id, parts);
  if (!completed) {
    // A refused Complete leaves the parts: abort them unless the caller resumes.
    return give_up(completed.error());
  }
  receipt.version_id = completed->version_id;
  std::vector<std::string> etags;
  for (const auto& p : parts) etags.push_back(p.etag);
  const std::string version = receipt.version_id;
  if (put.retention) {
    auto retained = client.put_object_retention(key, version, *put.retention, false);
    if (!retained) return stored_but(retained.error(), version);
  }
  auto confirmed = confirm(client, std::move(receipt), multipart_etag(etags), put);
  if (!confirmed) return stored_but(confirmed.error().error, version);
  return confirmed;
}

std::string composite_sha256(const std::vector<std::string>& part_checksums) {
  Digest all(Digest::Algorithm::sha256);
  for (const auto& c : part_checksums) {
    const std::string raw = from_base64(c);
    if (raw.size() != 32) return {};
    all.update(raw);
  }
  return to_base64(all.finish()) + "-" + std::to_string(part_checksums.size());
}

Result<int> abort_stale_uploads(Client& client, const std::string& prefix, Time older_than,
                                int max_uploads) {
  int aborted = 0;
  int seen = 0;
  std::string key_marker, id_marker;
  while (seen < max_uploads) {
    auto page = client.list_multipart_uploads(prefix, key_marker, id_marker);
    if (!page) return tl::unexpected(page.error());
    for (const auto& u : page->uploads) {
      if (++seen > max_uploads) break;
      if (u.key.rfind(prefix, 0) != 0) continue;  // never touch what is not under the prefix
      if (u.initiated && *u.initiated >= older_than) continue;
      if (auto ok = client.abort_multipart_upload(u.key, u.upload_id); !ok) {
        return tl::unexpected(ok.error());
      }
      ++aborted;
    }
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == id_marker) break;
    key_marker = page->next_key_marker;
    id_marker = page->next_upload_id_marker;
  }
  return aborted;
}

}  // namespace s3
