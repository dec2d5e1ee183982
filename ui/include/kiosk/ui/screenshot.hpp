// Saves what the window shows to a PNG: for the demo tour, tests and docs.
#pragma once

#include <filesystem>
#include <string>

namespace kiosk::ui {

// Reads the current OpenGL back buffer (call after rendering, before swapping) and writes
// it to `path`. Returns an error message, or "" on success.
std::string save_framebuffer_png(const std::filesystem::path& path, int width, int height);

} // namespace kiosk::ui
