#include "agent/run/run_journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "agent/core/human_format.hpp"

namespace agent {
namespace {

std::filesystem::path journal_file(const std::filesystem::path& state_dir) {
  return state_dir / "journal" / "current.jsonl";
}

}  // namespace

tl::expected<RunJournal, std::string> RunJournal::begin(const std::filesystem::path& state_dir,
                                                        const std::string& run_id,
                                                        const Clock& clock) {
  const auto file = journal_file(state_dir);
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    return tl::unexpected("cannot create " + file.parent_path().string() + ": " + ec.message());
  }
  std::filesystem::remove(file, ec);
  RunJournal journal(file, run_id, clock);
  journal.append("", "", JournalStep::started, "");
  if (!std::filesystem::exists(file)) {
    return tl::unexpected("cannot write the run journal " + file.string());
  }
  return journal;
}

void RunJournal::record(std::string_view target, TierName tier, JournalStep step,
                        std::string_view detail) {
  append(target, to_string(tier), step, detail);
}

void RunJournal::append(std::string_view target, std::string_view tier, JournalStep step,
                        std::string_view detail) {
  nlohmann::json line = {{"run_id", m_run_id},
                         {"pid", static_cast<long>(getpid())},
                         {"target", std::string(target)},
                         {"tier", std::string(tier)},
                         {"step", std::string(to_string(step))},
                         {"detail", std::string(detail)},
                         {"at", rfc3339_utc(std::chrono::system_clock::to_time_t(m_clock->now()))}};
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const int fd = ::open(m_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    spdlog::warn("cannot append to the run journal {}", m_file.string());
    return;
  }
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::fsync(fd);
  ::close(fd);
  if (!ok) spdlog::warn("short write to the run journal {}", m_file.string());
}

void RunJournal::finish() {
  std::error_code ec;
  std::filesystem::remove(m_file, ec);
}

std::vector<JournalEntry> RunJournal::read_unfinished(const std::filesystem::path& state_dir) {
  std::vector<JournalEntry> entries;
  std::ifstream in(journal_file(state_dir));
  std::string line;
  while (std::getline(in, line)) {
    try {
      const auto j = nlohmann::json::parse(line);
      const auto tier_text = j.at("tier").get<std::string>();
      const auto tier = parse_tier_name(tier_text);
      if (!tier_text.empty() && !tier) {
        spdlog::warn("run journal: skipping a step of unknown tier \"{}\"", tier_text);
        continue;
      }
      const auto step_text = j.at("step").get<std::string>();
      const auto step = parse_journal_step(step_text);
      if (!step) {
        spdlog::warn("run journal: skipping a step this version does not know: \"{}\"", step_text);
        continue;
      }
      entries.push_back({j.at("run_id").get<std::string>(), j.at("pid").get<long>(),
                         j.at("target").get<std::string>(), tier, *step,
                         j.at("detail").get<std::string>(), j.at("at").get<std::string>()});
    } catch (const nlohmann::json::exception&) {
      // A torn last line from a crash mid-write: nothing after it can exist.
      break;
    }
  }
  return entries;
}

}  // namespace agent
