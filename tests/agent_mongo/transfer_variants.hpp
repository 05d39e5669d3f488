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

// Benchmark-only alternatives to agent::mongo::DumpPipeline (ssh stdout -> file + SHA-256
// [+ validation]), so mongo_bench can time every way of splitting that work across threads
// side by side in one run (bench/mongo/run.sh). Not used by the agent.
namespace bench {

struct VariantOptions {
  bool validate = false;
  // true: write + hash on the network thread; false: a disk thread does both (the pipeline
  // before this comparison).
  bool inline_write = true;
  // Inline only: write and hash each received packet straight from the network buffer (no
  // copy) instead of gathering 1 MiB chunks first.
  bool per_packet = false;
  // sync_file_range(SYNC_FILE_RANGE_WRITE) after every N bytes written (0: only the final
  // fsync), so writeback overlaps the transfer instead of piling up for the fsync.
  std::size_t writeback_bytes = 0;
};

struct VariantResult {
  std::uint64_t bytes = 0;
  std::string sha256;
  agent::mongo_format::ArchiveVerdict verdict;
  std::optional<std::string> error;
};

class VariantSink {
 public:
  static constexpr std::size_t k_chunk = 1 << 20;
  static constexpr std::size_t k_buffers = 10;  // bounded memory: 10 MiB of chunks

  VariantSink(const std::filesystem::path& file, VariantOptions options);
  ~VariantSink();
  VariantSink(const VariantSink&) = delete;
  VariantSink& operator=(const VariantSink&) = delete;

  bool push(const std::uint8_t* data, std::size_t size);
  VariantResult finish();

 private:
  struct Buf {
    std::vector<std::uint8_t> data = std::vector<std::uint8_t>(k_chunk);
    std::size_t size = 0;
    int refs = 0;  // guarded by m_mutex
  };
  // A worker's inbox; nullptr marks the end of the stream.
  using Inbox = std::deque<Buf*>;

  Buf* take_free();
  void release(Buf* b);
  void send(Buf* b);
  Buf* receive(Inbox& inbox);
  void write_and_hash(const std::uint8_t* p, std::size_t n);
  void disk_worker();
  void check_worker();

  VariantOptions m_opt;
  int m_fd = -1;
  agent::mongo::Sha256 m_sha;
  std::uint64_t m_written = 0, m_kicked = 0;
  std::vector<std::unique_ptr<Buf>> m_all;
  std::vector<Buf*> m_free;
  Buf* m_current = nullptr;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  Inbox m_disk, m_check;
  agent::mongo_format::ArchiveValidator m_validator{true};
  VariantResult m_result;
  std::atomic<bool> m_failed{false};  // set by whichever thread writes
  std::thread m_disk_thread, m_check_thread;
};

}  // namespace bench
