#include "agent/mongo/dump_pipeline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace agent::mongo {

DumpPipeline::DumpPipeline(const std::filesystem::path& file, bool validate,
                           const mongo_format::ArchiveLimits& limits)
    : m_validate(validate), m_validator(true, limits, mongo_format::ArchiveParsing::own_thread) {
  m_fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    m_result.write_error = "cannot create " + file.string() + ": " + std::strerror(errno);
  }
  if (!m_validate) return;
  for (std::size_t i = 0; i < k_chunks; ++i) {
    m_pool.push_back(std::make_unique<Chunk>());
    m_free.push_back(m_pool.back().get());
  }
  m_check_thread = std::thread([this] { run_validator(); });
}

DumpPipeline::~DumpPipeline() {
  if (!m_finished) finish();
}

bool DumpPipeline::push(const std::uint8_t* data, std::size_t size) {
  m_sha.update(data, size);
  m_result.bytes += size;
  write_all(data, size);
  if (m_validate) {
    while (size > 0) {
      if (m_current == nullptr) m_current = take_free_chunk();
      const std::size_t n = std::min(size, k_chunk_size - m_current->size);
      std::memcpy(m_current->data.data() + m_current->size, data, n);
      m_current->size += n;
      data += n;
      size -= n;
      if (m_current->size == k_chunk_size) {
        hand_to_validator(m_current);
        m_current = nullptr;
      }
    }
  }
  return !m_result.write_error;
}

void DumpPipeline::write_all(const std::uint8_t* data, std::size_t size) {
  if (m_result.write_error) return;  // keep hashing and validating; the run fails anyway
  while (size > 0) {
    const ssize_t w = ::write(m_fd, data, size);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int err = w < 0 ? errno : ENOSPC;  // a zero-byte write: no room
      m_result.write_error = std::string("write failed: ") + std::strerror(err);
      m_result.disk_full = err == ENOSPC || err == EDQUOT;
      return;
    }
    data += w;
    size -= static_cast<std::size_t>(w);
    m_written += static_cast<std::uint64_t>(w);
  }
  if (m_written - m_writeback_from >= k_writeback_bytes) start_writeback();
}

void DumpPipeline::start_writeback() {
  // Starts writeback of what was written since the last call and returns without waiting;
  // errors surface in the final fsync, which also makes the data durable.
  ::sync_file_range(m_fd, static_cast<off_t>(m_writeback_from),
                    static_cast<off_t>(m_written - m_writeback_from), SYNC_FILE_RANGE_WRITE);
  m_writeback_from = m_written;
}

DumpPipeline::Chunk* DumpPipeline::take_free_chunk() {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [this] { return !m_free.empty(); });
  Chunk* c = m_free.back();
  m_free.pop_back();
  c->size = 0;
  return c;
}

void DumpPipeline::hand_to_validator(Chunk* chunk) {
  std::lock_guard lock(m_mutex);
  m_to_validate.push_back(chunk);
  m_cv.notify_all();
}

void DumpPipeline::run_validator() {
  for (;;) {
    Chunk* c = nullptr;
    {
      std::unique_lock lock(m_mutex);
      m_cv.wait(lock, [this] { return !m_to_validate.empty(); });
      c = m_to_validate.front();
      m_to_validate.pop_front();
    }
    if (c == nullptr) return;
    m_validator.feed(c->data.data(), c->size);
    std::lock_guard lock(m_mutex);
    m_free.push_back(c);
    m_cv.notify_all();
  }
}

DumpPipeline::Result DumpPipeline::finish() {
  m_finished = true;
  if (m_validate) {
    if (m_current != nullptr && m_current->size > 0) hand_to_validator(m_current);
    m_current = nullptr;
    hand_to_validator(nullptr);
    m_check_thread.join();
    m_result.verdict = m_validator.finish();
  }
  m_result.sha256 = m_sha.finish_hex();
  if (m_fd >= 0) {
    if (!m_result.write_error && ::fsync(m_fd) != 0) {
      const int err = errno;
      m_result.write_error = std::string("fsync failed: ") + std::strerror(err);
      m_result.disk_full = err == ENOSPC || err == EDQUOT;
    }
    ::close(m_fd);
    m_fd = -1;
  }
  return std::move(m_result);
}

}  // namespace agent::mongo
