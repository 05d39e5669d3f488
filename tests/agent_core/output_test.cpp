// Output makes human text safe once, for every command: remote text inside a table or a
// message cannot act on the terminal, while the agent's own line breaks and tabs stay.
#include <gtest/gtest.h>

#include <sstream>

#include <spdlog/spdlog.h>

#include "agent/core/log.hpp"
#include "agent/core/output.hpp"

namespace {

struct Captured {
  std::ostringstream out, err;
  agent::StreamOutput output{out, err};
};

TEST(Output, ResultsAndMessagesEscapeControlCharactersButKeepLinesAndTabs) {
  Captured c;
  c.output.result("name\tstate\nprod\t\x1B]0;owned\x07ok\rFAILED\n");
  c.output.message(
      "mongodump: \x1B[2J\x9B"
      "2K\xFF\n");
  EXPECT_EQ(c.out.str(), "name\tstate\nprod\t\\x1B]0;owned\\x07ok\\rFAILED\n");
  EXPECT_EQ(c.err.str().find('\x1B'), std::string::npos) << c.err.str();
  EXPECT_EQ(c.err.str().find('\r'), std::string::npos);
  EXPECT_NE(c.err.str().find("\\xFF"), std::string::npos) << c.err.str();
  EXPECT_EQ(c.err.str().back(), '\n');
}

TEST(Output, ErrorsAreEscapedToo) {
  Captured c;
  c.output.error("API said: \x1B[31mno\x1B[0m");
  EXPECT_EQ(c.err.str(), "pve-smokerbak: API said: \\x1B[31mno\\x1B[0m\n");
}

TEST(Output, JsonIsWrittenExactly) {
  Captured c;
  const std::string doc = "{\"notes\": \"a\\u001b[2J\\r\\u00ff\"}\n";
  c.output.json(doc);
  EXPECT_EQ(c.out.str(), doc);
}

TEST(Output, UnicodeTextIsKept) {
  Captured c;
  c.output.result("Zürich — 東京 ✓\n");
  EXPECT_EQ(c.out.str(), "Zürich — 東京 ✓\n");
}

}  // namespace

namespace {

// The log sink escapes what it is given too (spdlog lines quote remote text: mongodump stderr,
// API task log lines), so a journal or terminal following the log cannot be driven by it.
TEST(LogSink, EscapesControlCharactersAndKeepsOneMessageOnOneLine) {
  agent::setup_logging("info");
  testing::internal::CaptureStderr();
  spdlog::info("mongodump: {}", "\x1B]0;owned\x07\rFailed: fake\nsecond line");
  spdlog::default_logger()->flush();
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find('\x1B'), std::string::npos) << err;
  EXPECT_EQ(err.find('\r'), std::string::npos) << err;
  EXPECT_NE(err.find("\\x1B]0;owned\\x07\\rFailed: fake\\nsecond line"), std::string::npos) << err;
}

}  // namespace
