#include "agent/mongo_format/gzip_inflater.hpp"

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

GzipInflater::~GzipInflater() = default;

void GzipInflater::feed(const std::uint8_t* data, std::size_t size) {
  if (size > 0x80000000u) {  // ISA-L counts input in 32 bits
    feed(data, 0x80000000u);
    feed(data + 0x80000000u, size - 0x80000000u);
    return;
  }
  const std::uint64_t start = m_in;
  m_in += size;
  if (!m_error.empty() || size == 0) return;
  if (m_done) {
    m_error =
        "data after the end of the gzip member (second member or trailing garbage) at "
        "compressed offset " +
        std::to_string(start);
    return;
  }
  auto& st = m_state->st;
  st.next_in = const_cast<std::uint8_t*>(data);  // ISA-L's API is not const-correct
  st.avail_in = static_cast<std::uint32_t>(size);
  for (;;) {
    st.next_out = m_state->out.data();
    st.avail_out = static_cast<std::uint32_t>(m_state->out.size());
    const int rc = isal_inflate(&st);
    const std::size_t produced = m_state->out.size() - st.avail_out;
    if (produced > 0) m_out(m_state->out.data(), produced);
    if (rc < 0) {
      m_error = std::string(isal_error(rc)) + " (compressed bytes up to offset " +
                std::to_string(m_in - st.avail_in) + ")";
      return;
    }
    if (st.block_state == ISAL_BLOCK_FINISH) {
      m_done = true;
      if (st.avail_in > 0) {
        m_error =
            "data after the end of the gzip member (second member or trailing garbage) at "
            "compressed offset " +
            std::to_string(m_in - st.avail_in);
      }
      return;
    }
    if (st.avail_in == 0 && st.avail_out != 0) return;  // needs more input
  }
}

void GzipInflater::finish() {
  if (m_error.empty() && !m_done) {
    m_error = m_in == 0 ? "empty gzip stream"
                        : "gzip stream truncated: the member does not end (after " +
                              std::to_string(m_in) + " compressed bytes)";
  }
}

}  // namespace agent::mongo_format
