// Placeholder translation unit; replaced by the API client sources.
namespace proxmox {}
