#include "agent/mongo/dump_pipeline.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace agent::mongo {

DumpPipeline::DumpPipeline(const std::filesystem::path& file, bool validate,
                           const mongo_format::ArchiveLimits& limits)
    : m_validate(validate), m_validator(true, limits, mongo_format::ArchiveParsing::own_thread) {
  constexpr int k_flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
  m_fd = ::open(file.c_str(), k_flags | O_DIRECT, 0600);
  if (m_fd >= 0) {
    m_direct = true;
  } else if (errno == EINVAL) {  // the file system refuses O_DIRECT: through the page cache
    m_fd = ::open(file.c_str(), k_flags, 0600);
  }
  if (m_fd < 0) {
    m_result.write_error = "cannot create " + file.string() + ": " + std::strerror(errno);
    m_direct = false;
  }
  if (m_direct) {
    for (std::size_t i = 0; i < k_write_slots; ++i) {
      auto* p = static_cast<std::uint8_t*>(std::aligned_alloc(4096, k_chunk_size));
      if (p == nullptr) throw std::bad_alloc();
      m_write_buffers.emplace_back(p);
    }
    m_writer_thread = std::thread([this] { run_writer(); });
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

void DumpPipeline::AlignedFree::operator()(std::uint8_t* p) const { std::free(p); }

bool DumpPipeline::push(const std::uint8_t* data, std::size_t size) {
  m_result.bytes += size;
  m_sha.update(data, size);
  if (m_direct) {
    if (m_write_failed.load(std::memory_order_acquire)) return false;
    queue_for_writer(data, size);
  } else {
    write_all(data, size);
  }
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
  return m_direct ? !m_write_failed.load(std::memory_order_acquire) : !m_result.write_error;
}

void DumpPipeline::queue_for_writer(const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    if (m_write_used == 0) {
      // The slot at m_write_head must be free: wait while the writer is k_write_slots behind.
      std::unique_lock lock(m_write_mutex);
      m_write_cv.wait(lock, [this] { return m_write_head - m_write_tail < k_write_slots; });
    }
    const std::size_t slot = m_write_head % k_write_slots;
    const std::size_t n = std::min(size, k_chunk_size - m_write_used);
    std::memcpy(m_write_buffers[slot].get() + m_write_used, data, n);
    m_write_used += n;
    data += n;
    size -= n;
    if (m_write_used == k_chunk_size) hand_to_writer(slot);
  }
}

void DumpPipeline::hand_to_writer(std::size_t slot) {
  std::lock_guard lock(m_write_mutex);
  m_write_sizes[slot] = m_write_used;
  m_write_used = 0;
  ++m_write_head;
  m_write_cv.notify_all();
}

void DumpPipeline::write_failed(int err, const char* what) {
  m_result.write_error = std::string(what) + std::strerror(err);
  m_result.disk_full = err == ENOSPC || err == EDQUOT;
  m_write_failed.store(true, std::memory_order_release);
}

void DumpPipeline::run_writer() {
  bool direct = true;  // m_fd still has O_DIRECT
  for (;;) {
    std::size_t slot = 0, size = 0;
    {
      std::unique_lock lock(m_write_mutex);
      m_write_cv.wait(lock, [this] { return m_write_tail < m_write_head || m_write_closed; });
      if (m_write_tail == m_write_head) return;
      slot = m_write_tail % k_write_slots;
      size = m_write_sizes[slot];
    }
    const std::uint8_t* p = m_write_buffers[slot].get();
    while (size > 0 && !m_write_failed.load(std::memory_order_relaxed)) {
      // Only the last slot can be short; O_DIRECT wants whole 4 KiB blocks, so it goes
      // through the page cache (one call: the file offset stays block-aligned until then).
      if (direct && size % 4096 != 0) {
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_DIRECT);
        direct = false;
      }
      const ssize_t w = ::write(m_fd, p, size);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0 && errno == EINVAL && direct) {  // refused after all: the page cache then
        ::fcntl(m_fd, F_SETFL, ::fcntl(m_fd, F_GETFL) & ~O_DIRECT);
        direct = false;
        continue;
      }
      if (w <= 0) {
        write_failed(w < 0 ? errno : ENOSPC, "write failed: ");  // zero bytes: no room
        break;
      }
      p += w;
      size -= static_cast<std::size_t>(w);
    }
    std::lock_guard lock(m_write_mutex);
    ++m_write_tail;
    m_write_cv.notify_all();
  }
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
  if (m_writer_thread.joinable()) {
    if (m_write_used > 0) hand_to_writer(m_write_head % k_write_slots);
    {
      std::lock_guard lock(m_write_mutex);
      m_write_closed = true;
      m_write_cv.notify_all();
    }
    m_writer_thread.join();
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
