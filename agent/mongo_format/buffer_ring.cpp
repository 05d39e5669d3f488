#include "agent/mongo_format/buffer_ring.hpp"

namespace agent::mongo_format {

BufferRing::BufferRing(std::size_t slots, std::size_t slot_size) : m_slot_size(slot_size) {
  for (std::size_t i = 0; i < slots; ++i) {
    // Not value-initialised: every byte handed on was written by the producer first.
    m_slots.emplace_back(new std::uint8_t[slot_size]);
    m_free.push_back(m_slots.back().get());
  }
}

std::uint8_t* BufferRing::borrow(std::size_t& capacity) {
  std::unique_lock lock(m_mutex);
  m_producer_cv.wait(lock, [this] { return !m_free.empty(); });
  std::uint8_t* b = m_free.back();
  m_free.pop_back();
  capacity = m_slot_size;
  return b;
}

void BufferRing::give(std::uint8_t* buffer, std::size_t size) {
  std::lock_guard lock(m_mutex);
  if (size == 0) {
    m_free.push_back(buffer);
    return;
  }
  m_filled.push_back({buffer, size, m_tag});
  m_consumer_cv.notify_one();
}

void BufferRing::close() {
  std::lock_guard lock(m_mutex);
  m_closed = true;
  m_consumer_cv.notify_one();
}

std::optional<BufferRing::Filled> BufferRing::take() {
  std::unique_lock lock(m_mutex);
  m_consumer_cv.wait(lock, [this] { return !m_filled.empty() || m_closed; });
  if (m_filled.empty()) return std::nullopt;
  const Filled f = m_filled.front();
  m_filled.pop_front();
  return f;
}

void BufferRing::done(const std::uint8_t* buffer) {
  std::lock_guard lock(m_mutex);
  m_free.push_back(const_cast<std::uint8_t*>(buffer));  // one of m_slots, lent as const
  m_producer_cv.notify_one();
}

}  // namespace agent::mongo_format
