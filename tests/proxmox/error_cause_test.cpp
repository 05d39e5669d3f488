#include "proxmox/error_cause.hpp"

#include <gtest/gtest.h>

namespace proxmox {
namespace {

TEST(ErrorCause, NotesTemplateRefusedByAPre72ServerIsRecognised) {
  const Error e{Error::Kind::http_status, 400,
                "POST /nodes/pve1/vzdump: HTTP 400 Parameter verification failed.: "
                "notes-template: property is not defined in schema and the schema does not "
                "allow additional properties"};
  EXPECT_EQ(cause_of(e), Cause::notes_template_unsupported);
  // The same words in another status are not that cause.
  EXPECT_EQ(cause_of(Error{Error::Kind::http_status, 500, e.message}), Cause::other);
}

TEST(ErrorCause, MaxBackupLimitInAFailedTaskIsRecognised) {
  const Error e{Error::Kind::task_failed, 0,
                "task failed: job errors\nERROR: Backup of VM 106 failed - There is a max backup "
                "limit of 3 enforced by the target storage or the vzdump parameters."};
  EXPECT_EQ(cause_of(e), Cause::backup_limit_reached);
  EXPECT_EQ(cause_of(Error{Error::Kind::task_failed, 0, "task failed: job errors"}), Cause::other);
}

TEST(ErrorCause, PrunePreviewWithoutStorageSettingIsRecognised) {
  EXPECT_EQ(cause_of(Error{Error::Kind::http_status, 500,
                           "no prune-backups options configured for storage 'local'"}),
            Cause::no_prune_settings);
}

}  // namespace
}  // namespace proxmox
