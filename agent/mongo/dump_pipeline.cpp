#include "agent/mongo/dump_pipeline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/mongo/sha256.hpp"

namespace agent::mongo {

DumpPipeline::DumpPipeline(const std::filesystem::path& file, bool validate)
    : m_validate(validate) {
  m_fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    m_result.write_error = "cannot create " + file.string() + ": " + std::strerror(errno);
    m_failed = true;
  }
  m_current.reserve(k_chunk_size);
  m_disk_thread = std::thread([this] { write_and_hash(); });
  if (m_validate) m_check_thread = std::thread([this] { run_validator(); });
}

DumpPipeline::~DumpPipeline() {
  if (!m_finished) finish();
}

bool DumpPipeline::push(const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const std::size_t n = std::min(size, k_chunk_size - m_current.size());
    m_current.insert(m_current.end(), data, data + n);
    data += n;
    size -= n;
    if (m_current.size() == k_chunk_size) flush_current();
  }
  std::lock_guard lock(m_mutex);
  return !m_failed;
}

void DumpPipeline::flush_current() {
  auto chunk = std::make_shared<const std::vector<std::uint8_t>>(std::move(m_current));
  m_current = {};
  m_current.reserve(k_chunk_size);
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [this] {
    return (m_disk.chunks.size() < k_max_queued && m_check.chunks.size() < k_max_queued) ||
           m_failed;
  });
  m_disk.chunks.push_back(chunk);
  if (m_validate) m_check.chunks.push_back(std::move(chunk));
  m_cv.notify_all();
}

DumpPipeline::Chunk DumpPipeline::pop(Queue& q) {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return !q.chunks.empty() || m_done; });
  if (q.chunks.empty()) return nullptr;
  Chunk c = std::move(q.chunks.front());
  q.chunks.pop_front();
  m_cv.notify_all();
  return c;
}

void DumpPipeline::write_and_hash() {
  Sha256 sha;
  bool failed = m_fd < 0;
  while (const Chunk chunk = pop(m_disk)) {
    if (failed) continue;  // drain so the network side never blocks on a dead writer
    const std::uint8_t* p = chunk->data();
    std::size_t left = chunk->size();
    while (left > 0) {
      const ssize_t w = ::write(m_fd, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        std::lock_guard lock(m_mutex);
        m_result.write_error = std::string("write failed: ") + std::strerror(errno);
        m_failed = failed = true;
        m_cv.notify_all();
        break;
      }
      p += w;
      left -= static_cast<std::size_t>(w);
    }
    sha.update(chunk->data(), chunk->size());
    m_result.bytes += chunk->size();
  }
  m_result.sha256 = sha.finish_hex();
}

void DumpPipeline::run_validator() {
  mongo_format::ArchiveValidator validator(true);
  while (const Chunk chunk = pop(m_check)) validator.feed(chunk->data(), chunk->size());
  m_result.verdict = validator.finish();
}

DumpPipeline::Result DumpPipeline::finish() {
  if (!m_current.empty()) flush_current();
  {
    std::lock_guard lock(m_mutex);
    m_done = true;
    m_cv.notify_all();
  }
  m_disk_thread.join();
  if (m_check_thread.joinable()) m_check_thread.join();
  m_finished = true;
  if (m_fd >= 0) {
    if (!m_result.write_error && ::fsync(m_fd) != 0) {
      m_result.write_error = std::string("fsync failed: ") + std::strerror(errno);
    }
    ::close(m_fd);
    m_fd = -1;
  }
  return std::move(m_result);
}

}  // namespace agent::mongo
