#include "agent/mongo_format/archive_inventory.hpp"

#include <nlohmann/json.hpp>

#include "agent/core/safe_text.hpp"
#include "agent/mongo_format/archive_stream.hpp"

namespace agent::mongo_format {
namespace {

constexpr std::size_t k_max_indexes = 1000;  // MongoDB allows 64 per collection

class PreludeCollector final : public ArchiveSink {
 public:
  void on_prelude(const PreludeEntry& entry) override {
    NamespaceShape shape;
    shape.type = entry.type;
    if (!entry.metadata.empty()) {
      auto names = index_names_of_metadata(entry.metadata);
      if (names) {
        shape.indexes = std::move(*names);
      } else {
        warnings.push_back("the metadata of " +
                           escape_control_chars(entry.db + "." + entry.collection) +
                           " is not the JSON mongodump writes; its indexes are not compared");
      }
    }
    namespaces[entry.db + "." + entry.collection] = std::move(shape);
  }
  void on_documents(const std::string&, const std::uint8_t*, std::size_t) override {}

  std::map<std::string, NamespaceShape> namespaces;
  std::vector<std::string> warnings;
};

}  // namespace

std::optional<std::vector<std::string>> index_names_of_metadata(const std::string& metadata) {
  const auto j = nlohmann::json::parse(metadata, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  std::vector<std::string> names;
  const auto it = j.find("indexes");
  if (it == j.end()) return names;
  if (!it->is_array()) return std::nullopt;
  for (const auto& index : *it) {
    if (!index.is_object()) return std::nullopt;
    const auto name = index.find("name");
    if (name == index.end() || !name->is_string()) return std::nullopt;
    if (names.size() >= k_max_indexes) return std::nullopt;
    names.push_back(name->get<std::string>());
  }
  return names;
}

struct ArchiveInventory::Impl {
  Impl(bool gzip, const ArchiveLimits& limits) : stream(gzip, limits, &collector) {}
  PreludeCollector collector;
  ArchiveStream stream;
};

ArchiveInventory::ArchiveInventory(bool gzip, const ArchiveLimits& limits)
    : m_impl(std::make_unique<Impl>(gzip, limits)) {}
ArchiveInventory::~ArchiveInventory() = default;

void ArchiveInventory::feed(const std::uint8_t* data, std::size_t size) {
  m_impl->stream.feed(data, size);
}

InventoryResult ArchiveInventory::finish() {
  InventoryResult r;
  r.verdict = m_impl->stream.finish();
  r.namespaces = std::move(m_impl->collector.namespaces);
  for (auto& w : m_impl->collector.warnings) r.verdict.warnings.push_back(std::move(w));
  return r;
}

}  // namespace agent::mongo_format
