#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/mongo_format/archive_validator.hpp"

namespace agent::mongo {

// Receives a dump as it arrives over SSH and, on its own thread, writes it to `file`, hashes
// it (SHA-256) and feeds the one-pass archive validator, so the bytes are read once and the
// transfer overlaps with the work on them. Memory is bounded: the network side blocks once
// k_max_queued chunks of k_chunk_size wait (peak ~ (k_max_queued + 2) × k_chunk_size).
class DumpPipeline {
 public:
  static constexpr std::size_t k_chunk_size = 1 << 20;
  static constexpr std::size_t k_max_queued = 8;

  struct Result {
    std::uint64_t bytes = 0;
    std::string sha256;  // hex
    mongo_format::ArchiveVerdict verdict;
    std::optional<std::string> write_error;  // local disk problem (then verdict is not final)
  };

  // `validate` false only for benchmarks that measure transfer + write + hash alone.
  explicit DumpPipeline(const std::filesystem::path& file, bool validate = true);
  ~DumpPipeline();
  DumpPipeline(const DumpPipeline&) = delete;
  DumpPipeline& operator=(const DumpPipeline&) = delete;

  // Network side: copy bytes in. Returns false once the writer failed (stop the transfer).
  bool push(const std::uint8_t* data, std::size_t size);
  // End of stream: flushes, fsyncs the file, joins the thread, finishes the validator.
  Result finish();

 private:
  void flush_current();
  void run();

  int m_fd = -1;
  bool m_validate = true;
  std::vector<std::uint8_t> m_current;  // filled by push(), handed over when full
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<std::vector<std::uint8_t>> m_queue;
  std::vector<std::vector<std::uint8_t>> m_free;  // recycled buffers
  bool m_done = false;
  bool m_failed = false;
  bool m_finished = false;
  Result m_result;
  std::thread m_thread;
};

}  // namespace agent::mongo
