#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "agent/mongo_format/gzip_inflater.hpp"

// Internal to mongo_format: a fixed ring of buffers between one producer thread and one
// consumer thread, so inflated bytes cross threads without a copy and memory stays bounded
// (slots x slot_size, allocated once). The producer borrows a free slot, fills it and gives it
// back (in order); the consumer takes filled slots in that order and returns each when done.
// The producer blocks while every slot is filled or being consumed.
namespace agent::mongo_format {

class BufferRing final : public GzipInflater::BufferLender {
 public:
  struct Filled {
    const std::uint8_t* data;
    std::size_t size;
    std::uint64_t tag;  // the producer's tag when it gave the slot (see set_tag)
  };

  BufferRing(std::size_t slots, std::size_t slot_size);

  // Producer side.
  std::uint8_t* borrow(std::size_t& capacity) override;
  void give(std::uint8_t* buffer, std::size_t size) override;  // size 0: straight back to free
  // Tags the slots given from now on (the feeding thread's input piece, for the consumer to
  // say which piece its verdict came from).
  void set_tag(std::uint64_t tag) { m_tag = tag; }
  void close();  // end of stream: take() returns nullopt once the filled slots are consumed

  // Consumer side.
  std::optional<Filled> take();
  void done(const std::uint8_t* buffer);

 private:
  std::size_t m_slot_size;
  std::vector<std::unique_ptr<std::uint8_t[]>> m_slots;
  std::mutex m_mutex;
  std::condition_variable m_producer_cv, m_consumer_cv;
  std::vector<std::uint8_t*> m_free;  // guarded by m_mutex, as the two below
  std::deque<Filled> m_filled;
  bool m_closed = false;
  std::uint64_t m_tag = 0;  // producer only
};

}  // namespace agent::mongo_format
