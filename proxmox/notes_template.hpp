#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// vzdump's rules for `notes-template`, as upstream applies them before any task starts (a
// violation is HTTP 400 and no backup):
//  - the API server decodes the parameter as UTF-8 (pve-http-server AnyEvent.pm
//    decode_urlencoded), then the schema limits it to 1024 characters (pve-guest-common
//    PVE/VZDump/Common.pm confdesc 'notes-template' maxLength; pve-common JSONSchema.pm
//    check_prop: "value may only be 1024 characters long"): the whole string sent, i.e. the
//    agent's own first line, the "\n" escape after it and the operator's template together;
//  - pve-manager PVE/VZDump.pm verify_notes_template: no line feed ("contains a line feed");
//    every `\` + character pair, scanned left to right, must be `\n` or `\\` (a lone trailing
//    `\` passes); every {{name}} (name = no whitespace, no braces) must be cluster,
//    guestname, node or vmid; all findings joined as "found unknown: escape sequence '\x' at
//    char N, variable 'foo' at char M" (escapes first, then variables; N is the index of the
//    backslash, M the index of "{{" plus 4, both in characters, as Perl's pos() yields them).
namespace proxmox {

constexpr std::size_t k_notes_template_max_chars = 1024;

struct NotesTemplateProblem {
  enum class Kind {
    too_long,          // over 1024 characters, the agent's prefix included
    line_feed,         // a raw line feed (write "\n")
    unknown_escape,    // a backslash pair other than \n and \\ (write "\\" for a backslash)
    unknown_variable,  // {{name}} other than {{cluster}}, {{guestname}}, {{node}}, {{vmid}}
    invalid_utf8,      // upstream would store U+FFFD instead; not a 400
  };
  Kind kind = Kind::too_long;
  // 1-based column, in characters, of the checked text where the problem starts (too_long:
  // the first character over the limit).
  std::size_t column = 0;
  std::string detail;   // the escape ("\x"), the variable name, or the length
  std::string message;  // one sentence saying what to change
};

// Checks an operator's template that the agent sends after `prefix_chars` characters of its
// own (its first line plus the "\n" escape; 0 when it sends the template alone). The prefix
// must end in a complete escape or a plain character, so no escape or variable spans both.
std::vector<NotesTemplateProblem> check_notes_template(std::string_view tmpl,
                                                       std::size_t prefix_chars = 0);

// The parameter error upstream answers for `full_template` as sent (the text of
// errors["notes-template"], without the trailing newline), or "" when it accepts it.
std::string upstream_notes_template_error(std::string_view full_template);

}  // namespace proxmox
