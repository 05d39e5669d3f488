// Placeholder translation unit; replaced by the SSH sources.
namespace remote {}
