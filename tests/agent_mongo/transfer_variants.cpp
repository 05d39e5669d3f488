#include "transfer_variants.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace bench {

VariantSink::VariantSink(const std::filesystem::path& file, VariantOptions options)
    : m_opt(options) {
  m_fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (m_fd < 0) {
    m_result.error = std::string("open: ") + std::strerror(errno);
    m_failed = true;
  }
  for (std::size_t i = 0; i < k_buffers; ++i) {
    m_all.push_back(std::make_unique<Buf>());
    m_free.push_back(m_all.back().get());
  }
  if (!m_opt.inline_write) m_disk_thread = std::thread([this] { disk_worker(); });
  if (m_opt.validate) m_check_thread = std::thread([this] { check_worker(); });
}

VariantSink::~VariantSink() {
  if (m_disk_thread.joinable() || m_check_thread.joinable() || m_fd >= 0) finish();
}

VariantSink::Buf* VariantSink::take_free() {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [this] { return !m_free.empty(); });
  Buf* b = m_free.back();
  m_free.pop_back();
  b->size = 0;
  return b;
}

void VariantSink::release(Buf* b) {
  std::lock_guard lock(m_mutex);
  if (--b->refs == 0) {
    m_free.push_back(b);
    m_cv.notify_all();
  }
}

// Hands a full chunk to the workers that need it (disk and/or validator).
void VariantSink::send(Buf* b) {
  std::lock_guard lock(m_mutex);
  b->refs = (m_opt.inline_write ? 0 : 1) + (m_opt.validate ? 1 : 0);
  if (b->refs == 0) {
    m_free.push_back(b);
  } else {
    if (!m_opt.inline_write) m_disk.push_back(b);
    if (m_opt.validate) m_check.push_back(b);
  }
  m_cv.notify_all();
}

VariantSink::Buf* VariantSink::receive(Inbox& inbox) {
  std::unique_lock lock(m_mutex);
  m_cv.wait(lock, [&] { return !inbox.empty(); });
  Buf* b = inbox.front();
  inbox.pop_front();
  return b;
}

void VariantSink::write_and_hash(const std::uint8_t* p, std::size_t n) {
  m_sha.update(p, n);
  m_result.bytes += n;
  if (m_failed) return;
  while (n > 0) {
    const ssize_t w = ::write(m_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      m_result.error = std::string("write: ") + std::strerror(errno);
      m_failed = true;
      return;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
    m_written += static_cast<std::uint64_t>(w);
  }
  if (m_opt.writeback_bytes > 0 && m_written - m_kicked >= m_opt.writeback_bytes) {
    ::sync_file_range(m_fd, static_cast<off64_t>(m_kicked),
                      static_cast<off64_t>(m_written - m_kicked), SYNC_FILE_RANGE_WRITE);
    m_kicked = m_written;
  }
}

void VariantSink::disk_worker() {
  while (Buf* b = receive(m_disk)) {
    write_and_hash(b->data.data(), b->size);
    release(b);
  }
}

void VariantSink::check_worker() {
  while (Buf* b = receive(m_check)) {
    m_validator.feed(b->data.data(), b->size);
    release(b);
  }
}

bool VariantSink::push(const std::uint8_t* data, std::size_t size) {
  if (m_opt.inline_write && m_opt.per_packet) {
    write_and_hash(data, size);
    if (!m_opt.validate) return !m_failed;
  }
  while (size > 0) {
    if (m_current == nullptr) m_current = take_free();
    const std::size_t n = std::min(size, k_chunk - m_current->size);
    std::memcpy(m_current->data.data() + m_current->size, data, n);
    m_current->size += n;
    data += n;
    size -= n;
    if (m_current->size == k_chunk) {
      if (m_opt.inline_write && !m_opt.per_packet) write_and_hash(m_current->data.data(), k_chunk);
      send(m_current);
      m_current = nullptr;
    }
  }
  return !m_failed;
}

VariantResult VariantSink::finish() {
  if (m_current != nullptr && m_current->size > 0) {
    if (m_opt.inline_write && !m_opt.per_packet) {
      write_and_hash(m_current->data.data(), m_current->size);
    }
    send(m_current);
  }
  m_current = nullptr;
  {
    std::lock_guard lock(m_mutex);
    if (m_disk_thread.joinable()) m_disk.push_back(nullptr);
    if (m_check_thread.joinable()) m_check.push_back(nullptr);
    m_cv.notify_all();
  }
  if (m_disk_thread.joinable()) m_disk_thread.join();
  if (m_check_thread.joinable()) m_check_thread.join();
  if (m_opt.validate) m_result.verdict = m_validator.finish();
  if (m_fd >= 0) {
    if (!m_result.error && ::fsync(m_fd) != 0) {
      m_result.error = std::string("fsync: ") + std::strerror(errno);
    }
    ::close(m_fd);
    m_fd = -1;
  }
  m_result.sha256 = m_sha.finish_hex();
  return std::move(m_result);
}

}  // namespace bench
