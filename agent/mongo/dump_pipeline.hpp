#pragma once

#include <atomic>
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

// Receives a dump as it arrives over SSH. The network thread hashes each packet (SHA-256)
// straight from the network buffer and copies it into two fixed pools of 1 MiB buffers: one
// for a writer thread, one for a worker thread that runs the one-pass archive validator. The
// bytes are read from the network once, and transfer, writing and validation overlap. (Hashing
// on a thread of its own beside the writer was measured slower on 2 cores: bench/RESULTS.md.)
//
// Writing (bench/RESULTS.md, "dump transfer"): where the file system supports it the file is
// written with O_DIRECT from 4 KiB-aligned 1 MiB buffers by the writer thread: the page-cache
// path (copy into the cache, delayed allocation, memory-cgroup accounting, writeback) cost
// 1.3-2.6 CPU-seconds of kernel time per GB on the network thread, O_DIRECT about 0.15, and
// the thread only waits for the disk. The tail that is not a multiple of 4 KiB is written
// without O_DIRECT. Where O_DIRECT is refused (tmpfs, some network file systems) the network
// thread hashes and writes through the page cache as before, starting writeback every
// k_writeback_bytes (sync_file_range) so the final fsync does not flush the whole dump at the end.
// The final fsync stays either way (durability of the data and of the file's size).
//
// Memory is bounded: at most k_chunks chunks of k_chunk_size exist; the network side blocks
// while the validator is that far behind.
class DumpPipeline {
 public:
  static constexpr std::size_t k_chunk_size = 1 << 20;
  static constexpr std::size_t k_chunks = 10;
  static constexpr std::uint64_t k_writeback_bytes = 8 << 20;
  static constexpr std::size_t k_write_slots = 4;  // O_DIRECT buffers of k_chunk_size

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
  // O_DIRECT writing on the writer thread (m_direct): the network side fills m_write_slot and
  // queues it; the writer writes and returns it.
  void queue_for_writer(const std::uint8_t* data, std::size_t size);
  void hand_to_writer(std::size_t slot);
  void run_writer();
  void write_failed(int err, const char* what);
  // Blocks until the validator returned a chunk to the pool.
  Chunk* take_free_chunk();
  void hand_to_validator(Chunk* chunk);
  void run_validator();

  int m_fd = -1;
  bool m_direct = false;  // m_fd is O_DIRECT and the writer thread runs
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

  // The writer's ring (m_direct only): slots [m_write_tail, m_write_head) are queued, guarded
  // by m_write_mutex; the writer sets m_result.write_error before m_write_failed.
  struct AlignedFree {
    void operator()(std::uint8_t* p) const;
  };
  std::vector<std::unique_ptr<std::uint8_t, AlignedFree>> m_write_buffers;
  std::size_t m_write_sizes[k_write_slots] = {};
  std::uint64_t m_write_head = 0, m_write_tail = 0;
  bool m_write_closed = false;
  std::size_t m_write_used = 0;  // bytes in slot m_write_head % k_write_slots, not yet queued
  std::mutex m_write_mutex;
  std::condition_variable m_write_cv;
  std::atomic<bool> m_write_failed{false};
  std::thread m_writer_thread;

  // Inflate on the worker thread, the archive checks on one more (bench/RESULTS.md).
  mongo_format::ArchiveValidator m_validator;  // parses on a thread of its own (bench/RESULTS.md)
  std::thread m_check_thread;
  bool m_finished = false;
};

}  // namespace agent::mongo
