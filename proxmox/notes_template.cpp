#include "proxmox/notes_template.hpp"

#include "proxmox/text.hpp"

namespace proxmox {
namespace {

struct Finding {
  NotesTemplateProblem::Kind kind;
  std::size_t char_index;  // 0-based, in characters, where the construct starts
  std::string detail;
};

// Splits `s` into characters (code points; an invalid byte is one character of its own), so
// indexes match Perl's on the decoded string.
std::vector<std::string_view> characters(std::string_view s, std::size_t& first_invalid) {
  std::vector<std::string_view> out;
  first_invalid = std::string_view::npos;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t n = text::sequence_length(s, i);
    if (n == 0) {
      if (first_invalid == std::string_view::npos) first_invalid = out.size();
      n = 1;
    }
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool is_space(std::string_view c) {
  // Perl's \s on a decoded string: ASCII whitespace plus Unicode spaces; the ones that can
  // appear in a one-line template are these.
  return c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\f" || c == "\v" ||
         c == "\xC2\x85" || c == "\xC2\xA0" || c == "\xE3\x80\x80" ||
         (c.size() == 3 && c[0] == '\xE2' && c[1] == '\x80' &&
          (static_cast<unsigned char>(c[2]) <= 0x8A || c[2] == '\xA8' || c[2] == '\xA9' ||
           c[2] == '\xAF')) ||
         c == "\xE1\x9A\x80" || c == "\xE2\x81\x9F";
}

bool known_variable(std::string_view v) {
  return v == "cluster" || v == "guestname" || v == "node" || v == "vmid";
}

// The findings of verify_notes_template, in upstream's order, on characters `cs`.
std::vector<Finding> scan(const std::vector<std::string_view>& cs) {
  std::vector<Finding> out;
  for (std::size_t i = 0; i + 1 < cs.size(); ++i) {  // while ($t =~ /\\(.)/g)
    if (cs[i] != "\\") continue;
    const std::string_view next = cs[i + 1];
    if (next != "n" && next != "\\" && next != "\n") {
      out.push_back({NotesTemplateProblem::Kind::unknown_escape, i, "\\" + std::string(next)});
    }
    ++i;  // the pair is consumed
  }
  for (std::size_t i = 0; i + 4 < cs.size(); ++i) {  // while ($t =~ /\{\{([^\s{}]+)\}\}/g)
    if (cs[i] != "{" || cs[i + 1] != "{") continue;
    std::size_t j = i + 2;
    std::string name;
    while (j < cs.size() && cs[j] != "{" && cs[j] != "}" && !is_space(cs[j])) {
      name += cs[j];
      ++j;
    }
    if (j == i + 2 || j + 1 >= cs.size() || cs[j] != "}" || cs[j + 1] != "}") continue;
    if (!known_variable(name)) {
      out.push_back({NotesTemplateProblem::Kind::unknown_variable, i, name});
    }
    i = j + 1;  // matches do not overlap
  }
  return out;
}

}  // namespace

std::vector<NotesTemplateProblem> check_notes_template(std::string_view tmpl,
                                                       std::size_t prefix_chars) {
  std::vector<NotesTemplateProblem> out;
  std::size_t first_invalid = 0;
  const auto cs = characters(tmpl, first_invalid);
  using Kind = NotesTemplateProblem::Kind;

  if (prefix_chars + cs.size() > k_notes_template_max_chars) {
    const std::size_t allowed =
        prefix_chars >= k_notes_template_max_chars ? 0 : k_notes_template_max_chars - prefix_chars;
    std::string msg = "the notes template is " + std::to_string(cs.size()) + " characters long";
    if (prefix_chars > 0) {
      msg += " after the agent's own " + std::to_string(prefix_chars) +
             "-character first line (both count)";
    }
    msg += "; Proxmox accepts at most " + std::to_string(k_notes_template_max_chars) +
           " in all, so shorten it to " + std::to_string(allowed) + " characters";
    out.push_back({Kind::too_long, allowed + 1, std::to_string(cs.size()), std::move(msg)});
  }
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (cs[i] == "\n") {
      out.push_back({Kind::line_feed, i + 1, "",
                     "the notes template contains a line feed; write \\n for a new line"});
      break;
    }
  }
  for (auto& f : scan(cs)) {
    if (f.kind == Kind::unknown_escape) {
      out.push_back({f.kind, f.char_index + 1, f.detail,
                     "unknown escape sequence '" + f.detail +
                         "'; only \\n (new line) and \\\\ (a backslash) are allowed"});
    } else {
      out.push_back({f.kind, f.char_index + 1, f.detail,
                     "unknown variable {{" + f.detail +
                         "}}; Proxmox knows {{cluster}}, {{guestname}}, {{node}} and {{vmid}}"});
    }
  }
  if (first_invalid != std::string_view::npos) {
    out.push_back({Kind::invalid_utf8, first_invalid + 1, "",
                   "the notes template is not valid UTF-8; Proxmox would store U+FFFD (a "
                   "replacement character) instead of the bad bytes"});
  }
  return out;
}

std::string upstream_notes_template_error(std::string_view full) {
  std::size_t first_invalid = 0;
  const auto cs = characters(full, first_invalid);
  if (cs.size() > k_notes_template_max_chars) {
    return "value may only be " + std::to_string(k_notes_template_max_chars) + " characters long";
  }
  for (const auto c : cs) {
    if (c == "\n") return "contains a line feed";
  }
  std::string text;
  for (const auto& f : scan(cs)) {
    text += text.empty() ? "found unknown: " : ", ";
    if (f.kind == NotesTemplateProblem::Kind::unknown_escape) {
      text += "escape sequence '" + f.detail + "' at char " + std::to_string(f.char_index);
    } else {
      text += "variable '" + f.detail + "' at char " + std::to_string(f.char_index + 4);
    }
  }
  return text;
}

}  // namespace proxmox
