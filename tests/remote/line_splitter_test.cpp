#include "remote/line_splitter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

struct Collect {
  std::vector<std::string> lines;
  remote::StderrLineSink sink() {
    return [this](std::string_view l) { lines.emplace_back(l); };
  }
};

TEST(LineSplitter, JoinsLinesSplitAcrossChunks) {
  Collect c;
  const auto sink = c.sink();
  remote::LineSplitter s(sink);
  s.feed("2026-11-26T01:00:00.000+0000\twriting sm");
  s.feed("oker.a to archive on stdout\nsecond");
  s.feed(" line\r\n");
  s.finish();
  EXPECT_EQ(c.lines, (std::vector<std::string>{
                         "2026-11-26T01:00:00.000+0000\twriting smoker.a to archive on stdout",
                         "second line"}));
}

TEST(LineSplitter, FlushesUnterminatedLastLineOnFinish) {
  Collect c;
  const auto sink = c.sink();
  remote::LineSplitter s(sink);
  s.feed("a\nFailed: boom");
  EXPECT_EQ(c.lines.size(), 1U);
  s.finish();
  EXPECT_EQ(c.lines.back(), "Failed: boom");
}

TEST(LineSplitter, SplitsOverlongLines) {
  Collect c;
  const auto sink = c.sink();
  remote::LineSplitter s(sink);
  s.feed(std::string(remote::LineSplitter::k_max_line * 2 + 5, 'x'));
  s.finish();
  ASSERT_EQ(c.lines.size(), 3U);
  EXPECT_EQ(c.lines[2].size(), 5U);
}

TEST(LineSplitter, KeepsEmptyLines) {
  Collect c;
  const auto sink = c.sink();
  remote::LineSplitter s(sink);
  s.feed("\n\nx\n");
  s.finish();
  EXPECT_EQ(c.lines, (std::vector<std::string>{"", "", "x"}));
}

}  // namespace
