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

#include "agent/mongo/sha256.hpp"
#include "agent/mongo_format/archive_validator.hpp"

namespace agent::mongo {

// Receives a dump as it arrives over SSH. The network thread writes each packet to `file` and
// hashes it (SHA-256) straight from the network buffer; a copy goes, in 1 MiB chunks, to one
// worker thread that runs the one-pass archive validator. The bytes are read from the network
// once, and transfer and validation overlap.
//
// Why this split (bench/mongo/RESULTS.md): on a 2-core host the SSH server, the libssh client
// and the validator already keep both cores busy; a separate disk+hash thread with its own
// chunk copies cost more in copies and wake-ups than it saved. Writeback is started every
// k_writeback_bytes (sync_file_range) so the final fsync, which stays for durability, does not
// have to flush the whole dump at the end.
//
// Memory is bounded: at most k_chunks chunks of k_chunk_size exist; the network side blocks
// while the validator is that far behind.
class DumpPipeline {
 public:
  static constexpr std::size_t k_chunk_size = 1 << 20;
  static constexpr std::size_t k_chunks = 10;
  static constexpr std::uint64_t k_writeback_bytes = 8 << 20;

  struct Result {
    std::uint64_t bytes = 0;
    std::string sha256;  // hex
    mongo_format::ArchiveVerdict verdict;
    std::optional<std::string> write_error;  // local disk problem (then verdict is not final)
    bool disk_full = false;  // write_error is ENOSPC or EDQUOT: no room left for the dump
  };

  // `validate` false only for benchmarks that measure transfer + write + hash alone. `limits`
  // bound the validator (size cap, nesting depth; agent/mongo/dump_limits.hpp).
  explicit DumpPipeline(const std::filesystem::path& file, bool validate = true,
                        const mongo_format::ArchiveLimits& limits = {});
  ~DumpPipeline();
  DumpPipeline(const DumpPipeline&) = delete;
  DumpPipeline& operator=(const DumpPipeline&) = delete;

  // Network side: writes, hashes and queues bytes for validation. Returns false once writing
  // failed (stop the transfer).
  bool push(const std::uint8_t* data, std::size_t size);
  // End of stream: hands over the last chunk, waits for the validator, fsyncs the file.
  Result finish();

 private:
  struct Chunk {
    std::vector<std::uint8_t> data = std::vector<std::uint8_t>(k_chunk_size);
    std::size_t size = 0;
  };

  void write_all(const std::uint8_t* data, std::size_t size);
  void start_writeback();
  // Blocks until the validator returned a chunk to the pool.
  Chunk* take_free_chunk();
  void hand_to_validator(Chunk* chunk);
  void run_validator();

  int m_fd = -1;
  bool m_validate = true;
  Sha256 m_sha;
  std::uint64_t m_written = 0;
  std::uint64_t m_writeback_from = 0;  // first byte not yet handed to sync_file_range
  Result m_result;

  // Shared with the validator thread, guarded by m_mutex (except the chunks' contents, owned
  // by whoever holds the chunk).
  std::vector<std::unique_ptr<Chunk>> m_pool;
  std::vector<Chunk*> m_free;
  std::deque<Chunk*> m_to_validate;  // nullptr: end of stream
  std::mutex m_mutex;
  std::condition_variable m_cv;

  Chunk* m_current = nullptr;  // being filled by push()
  // Inflate on the worker thread, the archive checks on one more (bench/RESULTS.md).
  mongo_format::ArchiveValidator m_validator;  // parses on a thread of its own (bench/RESULTS.md)
  std::thread m_check_thread;
  bool m_finished = false;
};

}  // namespace agent::mongo
