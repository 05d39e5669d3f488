// Placeholder translation unit; replaced by the retention engine sources.
namespace policies {}
