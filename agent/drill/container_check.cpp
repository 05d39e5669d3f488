#include "agent/drill/container_check.hpp"

#include <thread>

#include "agent/core/safe_text.hpp"
#include "agent/drill/local_process.hpp"

namespace agent::drill {
namespace {

using Kind = TierError::Kind;
using Clock = std::chrono::steady_clock;

// The output's first 300 bytes, control characters escaped, for a message.
std::string shown_output(const ProcessResult& r) {
  std::string text = r.output.substr(0, 300);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.empty()) return "no output";
  return "output: \"" + escape_control_chars(text, Tabs::escape) + "\"" +
         (r.output.size() > 300 || r.output_truncated ? " (cut)" : "");
}

}  // namespace

std::string command_text(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + a;
  return escape_control_chars(out, Tabs::escape);
}

ContainerCheckResult check_container(const DrillCheckConfig& check, std::int64_t vmid,
                                     const ContainerCheckOptions& options) {
  ContainerCheckResult result;
  const std::string id = std::to_string(vmid);
  const std::string what = "`pct exec " + id + " -- " + command_text(check.command) + "`";
  std::vector<std::string> args{"exec", id, "--"};
  args.insert(args.end(), check.command.begin(), check.command.end());
  const auto deadline = Clock::now() + std::chrono::seconds(check.timeout_s);
  ProcessResult last;
  // The last attempt that ended on its own: when the deadline cuts a later one short, what the
  // check itself said is the better reason (the kill is then only how the waiting ended).
  std::optional<ProcessResult> last_answer;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    last = run_process(check.pct, args, std::max(left, std::chrono::milliseconds(1)));
    ++result.attempts;
    if (!last.spawn_error.empty()) {
      result.error = TierError{Kind::local_io, "the drill's check cannot run: " + last.spawn_error +
                                                   " (the check needs the node's pct: run the "
                                                   "agent on the node that holds the copy, or set "
                                                   "drill.vzdump.check.pct)"};
      return result;
    }
    if (last.exit_status && *last.exit_status == 0) {
      result.verified =
          what + " answered (exit 0" +
          (result.attempts > 1 ? ", attempt " + std::to_string(result.attempts) : "") + ")";
      return result;
    }
    if (!last.timed_out) last_answer = last;
    if (last.timed_out || Clock::now() + options.poll >= deadline) break;
    if (options.sleep) {
      options.sleep(options.poll);
    } else {
      std::this_thread::sleep_for(options.poll);
    }
  }
  const std::string limit = std::to_string(check.timeout_s) + " s";
  std::string why;
  if (last.timed_out && last_answer) {
    last = *last_answer;
    why = "exited " +
          (last.exit_status ? std::to_string(*last.exit_status)
                            : "by signal " + std::to_string(last.signal.value_or(0))) +
          " (" + std::to_string(result.attempts) + " attempt(s) in " + limit +
          ", the last one still running at the deadline)";
  } else if (last.timed_out) {
    why = "did not answer within " + limit + " (killed)";
  } else if (last.exit_status) {
    why = "exited " + std::to_string(*last.exit_status) + " (" + std::to_string(result.attempts) +
          " attempt(s) in " + limit + ")";
  } else {
    why = "was ended by signal " + std::to_string(last.signal.value_or(0));
  }
  result.error = TierError{Kind::invalid, "the restored copy failed its check: " + what + " " +
                                              why + ", " + shown_output(last)};
  return result;
}

}  // namespace agent::drill
