#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/mongo_format/archive_validator.hpp"

namespace agent::mongo {

// Receives a dump as it arrives over SSH and hands each chunk to two worker threads: one
// writes it to `file` and hashes it (SHA-256), the other feeds the one-pass archive validator.
// The bytes are read from the network once, and transfer, disk/hash and validation overlap.
// Memory is bounded: the network side blocks while either worker has k_max_queued chunks of
// k_chunk_size waiting (peak ~ (k_max_queued + 3) × k_chunk_size).
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
  // End of stream: flushes, joins the workers, fsyncs the file, finishes the validator.
  Result finish();

 private:
  using Chunk = std::shared_ptr<const std::vector<std::uint8_t>>;
  struct Queue {
    std::deque<Chunk> chunks;
  };

  void flush_current();
  // Blocks until a chunk is available for `q`; nullptr at end of stream.
  Chunk pop(Queue& q);
  void write_and_hash();
  void run_validator();

  int m_fd = -1;
  bool m_validate = true;
  std::vector<std::uint8_t> m_current;  // filled by push(), handed over when full
  std::mutex m_mutex;
  std::condition_variable m_cv;
  Queue m_disk, m_check;
  bool m_done = false;
  bool m_failed = false;
  bool m_finished = false;
  Result m_result;
  std::thread m_disk_thread, m_check_thread;
};

}  // namespace agent::mongo
