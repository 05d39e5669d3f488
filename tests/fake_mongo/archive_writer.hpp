#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tests/fake_mongo/dataset.hpp"

// Writes a dataset in mongodump's archive format (docs/mongodump-format.md section 3, byte for byte
// as mongo-tools' multiplexer does: magic, header, prelude, interleaved segments, EOF blocks with
// CRC-64/XZ), optionally gzip-compressed like Go's compress/gzip (one member, OS=255), with
// knobs that break it in the ways the validator must notice.
namespace fake_mongo {

struct ArchiveFaults {
  std::string bad_crc_ns;   // EOF block of this namespace ("db.coll") carries a wrong CRC
  std::string no_eof_ns;    // this namespace never gets its EOF block
  std::string bad_bson_ns;  // first document of this namespace gets an invalid type byte
  std::string unannounced_collection;  // extra collection (name) with data but no prelude entry
  bool drop_final_terminator = false;
};

struct ArchiveOptions {
  std::string tool_version = "100.9.4";
  std::string server_version = "7.0.14";
  std::int32_t concurrent_collections = 4;
  std::size_t segment_bytes = 1 << 20;  // documents per segment before switching namespace
  ArchiveFaults faults;
};

// Receives the output bytes in order.
using ByteSink = std::function<void(const std::uint8_t*, std::size_t)>;
// Called after a namespace's EOF block is written (for "done dumping" lines).
using NamespaceDone = std::function<void(const std::string& ns, std::uint64_t documents)>;

// Streams the archive of `data` into `sink`; returns per-namespace document counts.
std::map<std::string, std::uint64_t> write_archive(const DatasetSpec& data,
                                                   const ArchiveOptions& options,
                                                   const ByteSink& sink,
                                                   const NamespaceDone& done = {});

// gzip compressor (zlib) with Go's header: 1f 8b 08 00 00000000 00 ff.
class GzipWriter {
 public:
  GzipWriter(ByteSink sink, int level = 6);
  ~GzipWriter();
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;
  void write(const std::uint8_t* data, std::size_t size);
  void flush();   // Z_SYNC_FLUSH: everything so far becomes decodable by the receiver
  void finish();  // flushes the trailer (CRC32, ISIZE)

 private:
  struct State;
  State* m_state;
  ByteSink m_sink;
};

// A gzip archive that inflates to about `inflated_bytes` (a gzip bomb): one collection
// "<db>.bomb" of documents of ~16 MiB of zeros. Each document is deflated once and its bytes
// repeated (deflate blocks after a full flush refer to nothing before them), so building it
// costs milliseconds and a few MB of output per 10 GiB inflated. The gzip CRC32/ISIZE are right.
// With `complete` the archive also ends properly (EOF block with the true CRC-64, computed with
// ISA-L over every copy: about a second per 10 GiB), so without a size cap it is valid;
// without, the stream simply stops after the last document (a bomb need not end).
void write_gzip_bomb_archive(std::uint64_t inflated_bytes, bool complete, const std::string& db,
                             const ByteSink& sink);
std::vector<std::uint8_t> gzip_bomb_archive(std::uint64_t inflated_bytes, bool complete = false,
                                            const std::string& db = "smoker");

// Convenience for tests: the whole archive in memory.
std::vector<std::uint8_t> build_archive(const DatasetSpec& data, const ArchiveOptions& options = {},
                                        bool gzip = true, int level = 6);
std::vector<std::uint8_t> gzip_bytes(const std::vector<std::uint8_t>& plain, int level = 6);

// CRC-64/XZ, bitwise table implementation independent of the agent's (ISA-L) one.
std::uint64_t crc64_xz_reference(std::uint64_t crc, const std::uint8_t* data, std::size_t size);

}  // namespace fake_mongo
