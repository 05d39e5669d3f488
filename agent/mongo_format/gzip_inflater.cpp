#include "agent/mongo_format/gzip_inflater.hpp"

#include <algorithm>
#include <vector>

#include <isa-l/igzip_lib.h>

namespace agent::mongo_format {
namespace {

// Inflated bytes are handed on in pieces this large: big enough to amortise the per-call cost
// of the parser and CRC, small enough to stay in L2 cache while they are checked.
constexpr std::size_t k_out_chunk = 256 * 1024;

const char* isal_error(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid deflate back-reference";
    case ISAL_INVALID_WRAPPER:
      return "not a gzip stream (bad header)";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported gzip compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "gzip CRC32 or ISIZE mismatch";
    default:
      return "inflate error";
  }
}

}  // namespace

struct GzipInflater::State {
  inflate_state st{};
  std::vector<std::uint8_t> out = std::vector<std::uint8_t>(k_out_chunk);
};

GzipInflater::GzipInflater(Output out) : m_state(std::make_unique<State>()), m_out(std::move(out)) {
  isal_inflate_init(&m_state->st);
  m_state->st.crc_flag = ISAL_GZIP;
}

GzipInflater::GzipInflater(BufferLender* lender) : GzipInflater(Output{}) { m_lender = lender; }

GzipInflater::~GzipInflater() = default;

bool GzipInflater::deliver(const std::uint8_t* data, std::size_t size) {
  if (m_limit != 0 && size > m_limit - m_out_bytes) {
    m_limit_exceeded = true;
    m_error = "inflated size exceeds the limit of " + std::to_string(m_limit) +
              " bytes (stopped after " + std::to_string(m_in - m_state->st.avail_in) +
              " compressed bytes)";
    return false;
  }
  m_out_bytes += size;
  if (size > 0 && m_out) m_out(data, size);
  return true;
}

void GzipInflater::trailing_garbage() {
  m_error = "data after the end of gzip member " + std::to_string(m_members - 1) +
            " is not another gzip member (trailing garbage at compressed offset " +
            std::to_string(m_in - m_state->st.avail_in) + ")";
}

// Bytes after a member must start another one (1f 8b); anything else is trailing garbage,
// however few bytes it is (ISA-L alone would wait for the rest of a header).
bool GzipInflater::check_member_magic() {
  auto& st = m_state->st;
  static constexpr std::uint8_t k_magic[2] = {0x1F, 0x8B};
  std::uint32_t k = 0;
  while (m_magic_seen < 2 && k < st.avail_in) {
    if (st.next_in[k] != k_magic[m_magic_seen]) {
      trailing_garbage();
      return false;
    }
    ++k;
    ++m_magic_seen;
  }
  return true;
}

void GzipInflater::feed(const std::uint8_t* data, std::size_t size) {
  if (size > 0x80000000u) {  // ISA-L counts input in 32 bits
    feed(data, 0x80000000u);
    feed(data + 0x80000000u, size - 0x80000000u);
    return;
  }
  m_in += size;
  if (!m_error.empty() || size == 0) return;
  inflate_piece(data, size);
  hand_over_slot();  // what this piece produced goes on now, not with the next piece
}

void GzipInflater::hand_over_slot() {
  if (m_slot == nullptr) return;
  m_lender->give(m_slot, m_slot_used);
  m_slot = nullptr;
  m_slot_used = 0;
}

void GzipInflater::inflate_piece(const std::uint8_t* data, std::size_t size) {
  auto& st = m_state->st;
  st.next_in = const_cast<std::uint8_t*>(data);  // ISA-L's API is not const-correct
  st.avail_in = static_cast<std::uint32_t>(size);
  for (;;) {
    if (!m_in_member) {
      // A member begins here: the first, or one after a member that ended (RFC 1952 §2.2).
      if (m_members > 0) {
        std::uint8_t* const next = st.next_in;
        const std::uint32_t avail = st.avail_in;
        isal_inflate_reset(&st);
        st.crc_flag = ISAL_GZIP;
        st.next_in = next;
        st.avail_in = avail;
      }
      m_in_member = true;
      ++m_members;
      m_magic_seen = m_members > 1 ? 0 : 2;
    }
    if (!check_member_magic()) return;
    // Inflated in steps of k_out_chunk either way (so the size cap stops at the same byte);
    // with a lender the steps fill one borrowed buffer, handed over when it has no room for
    // another step or the piece is done.
    std::uint8_t* out = m_state->out.data();
    std::size_t room = m_state->out.size();
    if (m_lender) {
      if (m_slot_used > 0 && m_slot_capacity - m_slot_used < k_out_chunk) hand_over_slot();
      if (m_slot == nullptr) m_slot = m_lender->borrow(m_slot_capacity);
      out = m_slot + m_slot_used;
      room = std::min(k_out_chunk, m_slot_capacity - m_slot_used);
    }
    st.next_out = out;
    st.avail_out = static_cast<std::uint32_t>(room);
    const int rc = isal_inflate(&st);
    const std::size_t produced = room - st.avail_out;
    if (!deliver(out, produced)) return;
    m_slot_used += m_lender ? produced : 0;
    if (rc < 0) {
      const std::uint64_t at = m_in - st.avail_in;
      if (m_members > 1 && rc == ISAL_INVALID_WRAPPER) {
        trailing_garbage();
      } else {
        m_error = std::string(isal_error(rc)) +
                  (m_members > 1 ? " in gzip member " + std::to_string(m_members) : "") +
                  " (compressed bytes up to offset " + std::to_string(at) + ")";
      }
      return;
    }
    if (st.block_state == ISAL_BLOCK_FINISH) {
      m_in_member = false;  // trailer checked; another member may follow
      if (st.avail_in == 0) return;
      continue;
    }
    if (st.avail_in == 0 && st.avail_out != 0) return;  // needs more input
  }
}

void GzipInflater::finish() {
  if (!m_error.empty()) return;
  if (m_members == 0) {
    m_error = "empty gzip stream";
  } else if (m_in_member && m_magic_seen < 2) {
    trailing_garbage();
  } else if (m_in_member) {
    m_error = "gzip stream truncated: member " + std::to_string(m_members) +
              " does not end (after " + std::to_string(m_in) + " compressed bytes)";
  }
}

}  // namespace agent::mongo_format
