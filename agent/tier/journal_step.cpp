#include "agent/tier/journal_step.hpp"

#include <array>
#include <utility>

namespace agent {
namespace {

constexpr std::array<std::pair<JournalStep, std::string_view>, 6> k_words{{
    {JournalStep::started, "started"},
    {JournalStep::backup, "backup"},
    {JournalStep::task_started, "task-started"},
    {JournalStep::upload, "upload"},
    {JournalStep::prune, "prune"},
    {JournalStep::done, "done"},
}};

}  // namespace

std::string_view to_string(JournalStep step) {
  for (const auto& [s, word] : k_words) {
    if (s == step) return word;
  }
  return "unknown";
}

std::optional<JournalStep> parse_journal_step(std::string_view word) {
  for (const auto& [s, w] : k_words) {
    if (w == word) return s;
  }
  return std::nullopt;
}

}  // namespace agent
