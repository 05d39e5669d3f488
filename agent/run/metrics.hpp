#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "agent/tier/tier_record.hpp"

// The Prometheus textfile (node-exporter textfile collector) written after every run.
// Metric names are documented in docs/metrics.md; never rename them.
namespace agent {

// Renders every record as Prometheus text exposition format.
std::string render_metrics(const std::vector<TierRecord>& records);

// Writes render_metrics(records) and then `extra` (more metrics in the same format:
// render_drill_metrics, the tiers' own series from Tier::extra_metrics) to `path` atomically
// (mode 0644). Error text on failure.
std::optional<std::string> write_metrics_file(const std::filesystem::path& path,
                                              const std::vector<TierRecord>& records,
                                              const std::string& extra = "");

// A Prometheus label value: backslash, double quote and line feed escaped.
std::string metric_label_value(const std::string& value);

}  // namespace agent
