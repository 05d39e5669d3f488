#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

// Internal to mongo_format: streaming gzip inflate (ISA-L) of one or more gzip members back to
// back (RFC 1952 §2.2; Go's gzip reader, hence mongorestore, reads them all as one stream),
// each with a correct CRC32 and ISIZE; bytes after a member that do not start another member
// are an error. Optionally stops as soon as the inflated size passes a limit (a gzip bomb
// then costs one output chunk beyond the limit, not its whole inflated size).
namespace agent::mongo_format {

class GzipInflater {
 public:
  // Receives each piece of inflated output; the bytes are valid only during the call.
  using Output = std::function<void(const std::uint8_t*, std::size_t)>;

  // Lends the buffers inflated bytes are written into, for a consumer on another thread (no
  // copy): the inflater borrows one, fills it in steps and gives it back with the number of
  // bytes delivered (possibly 0) when it is full or at the end of each feed() call.
  class BufferLender {
   public:
    virtual ~BufferLender() = default;
    virtual std::uint8_t* borrow(std::size_t& capacity) = 0;
    virtual void give(std::uint8_t* buffer, std::size_t size) = 0;
  };

  explicit GzipInflater(Output out);
  // Inflates into `lender`'s buffers instead (it must outlive the inflater).
  explicit GzipInflater(BufferLender* lender);
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Inflated bytes beyond `max_bytes` are not delivered and fail the stream (0 = no limit).
  void set_output_limit(std::uint64_t max_bytes) { m_limit = max_bytes; }

  void feed(const std::uint8_t* data, std::size_t size);
  // Call at end of input; records an error when the last member did not end.
  void finish();

  bool failed() const { return !m_error.empty(); }
  const std::string& error() const { return m_error; }
  bool limit_exceeded() const { return m_limit_exceeded; }
  std::uint64_t compressed_bytes() const { return m_in; }
  std::uint64_t inflated_bytes() const { return m_out_bytes; }
  std::uint32_t members() const { return m_members; }  // members begun

 private:
  struct State;
  void inflate_piece(const std::uint8_t* data, std::size_t size);
  void hand_over_slot();
  bool deliver(const std::uint8_t* data, std::size_t size);
  bool check_member_magic();
  void trailing_garbage();
  std::unique_ptr<State> m_state;
  Output m_out;
  BufferLender* m_lender = nullptr;
  std::uint8_t* m_slot = nullptr;  // borrowed from m_lender, m_slot_used bytes filled
  std::size_t m_slot_capacity = 0, m_slot_used = 0;
  std::string m_error;
  std::uint64_t m_in = 0, m_out_bytes = 0, m_limit = 0;
  std::uint32_t m_members = 0;
  bool m_in_member = false;  // a member has begun and not ended
  int m_magic_seen = 2;      // bytes of a later member's 1f 8b magic checked so far
  bool m_limit_exceeded = false;
};

}  // namespace agent::mongo_format
