#include "agent/core/bounded_log.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

TEST(BoundedLog, KeepsEverythingWhileItFits) {
  agent::BoundedLog log(100, 100);
  EXPECT_EQ(log.add_line("one"), agent::BoundedLog::Kept::head);
  EXPECT_EQ(log.add_line("two"), agent::BoundedLog::Kept::head);
  EXPECT_EQ(log.text(), "one\ntwo\n");
  EXPECT_FALSE(log.cut());
  EXPECT_EQ(log.cut_line(), "");
}

TEST(BoundedLog, KeepsHeadAndTailAndSaysWhatWasCut) {
  agent::BoundedLog log(10, 10);
  for (int i = 0; i < 1000; ++i) log.add_line("line" + std::to_string(i));
  const std::string text = log.text();
  EXPECT_EQ(text.rfind("line0\n[... ", 0), 0u) << text;
  EXPECT_NE(text.find("line999\n"), std::string::npos);
  EXPECT_NE(text.find("lines ("), std::string::npos);
  EXPECT_NE(text.find("were cut here"), std::string::npos);
  EXPECT_EQ(log.lines_seen(), 1000u);
  EXPECT_EQ(log.cut_lines(), 998u);  // line0 in the head, line999 in the tail
  EXPECT_TRUE(log.cut());
}

TEST(BoundedLog, AFloodStaysWithinItsBudget) {
  // 300 MB of stderr (issue 11) must not become 300 MB of memory or of stored log.
  agent::BoundedLog log;  // 1 MiB + 1 MiB
  const std::string line(64 * 1024 - 1, 'x');
  for (int i = 0; i < 300 * 16; ++i) log.add_line(line);
  EXPECT_LE(log.text().size(), 2u * 1024 * 1024 + 200);
  EXPECT_EQ(log.bytes_seen(), 300ull * 1024 * 1024);
  EXPECT_GT(log.cut_bytes(), 290ull * 1024 * 1024);
}

TEST(BoundedLog, HeadStaysAPrefixAndTailTextIsTheRest) {
  agent::BoundedLog log(8, 64);
  EXPECT_EQ(log.add_line("abc"), agent::BoundedLog::Kept::head);
  EXPECT_EQ(log.add_line("0123456789"), agent::BoundedLog::Kept::tail);
  EXPECT_EQ(log.add_line("x"), agent::BoundedLog::Kept::tail);  // would fit, but the head is closed
  EXPECT_EQ(log.head(), "abc\n");
  EXPECT_EQ(log.head() + log.tail_text(), log.text());
  EXPECT_EQ(log.tail_text(), "0123456789\nx\n");
}

TEST(BoundedLog, ALineLongerThanTheTailKeepsItsEnd) {
  agent::BoundedLog log(0, 8);
  log.add_line("0123456789abcdef");
  EXPECT_EQ(log.tail_text().substr(log.tail_text().find("]\n") + 2), "9abcdef\n");
  EXPECT_EQ(log.cut_bytes(), 9u);
}

}  // namespace
