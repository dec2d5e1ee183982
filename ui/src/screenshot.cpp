// glReadPixels + stb_image_write (from Debian's libstb). The image is flipped because
// OpenGL's rows run bottom-up.
#include "kiosk/ui/screenshot.hpp"

#include <GL/gl.h>
#include <algorithm>
#include <stb_image_write.h>
#include <vector>

namespace kiosk::ui {

std::string save_framebuffer_png(const std::filesystem::path& path, int width, int height) {
    if (width <= 0 || height <= 0) {
        return "the window has no size";
    }
    const auto row = static_cast<std::size_t>(width) * 4;
    std::vector<unsigned char> pixels(row * static_cast<std::size_t>(height));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    if (glGetError() != GL_NO_ERROR) {
        return "glReadPixels failed";
    }
    std::vector<unsigned char> flipped(pixels.size());
    for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y) {
        std::copy_n(pixels.begin() + static_cast<std::ptrdiff_t>(y * row), row,
                    flipped.begin() + static_cast<std::ptrdiff_t>(
                                          (static_cast<std::size_t>(height) - 1 - y) * row));
    }
    std::error_code ignored;
    std::filesystem::create_directories(path.parent_path(), ignored);
    if (stbi_write_png(path.c_str(), width, height, 4, flipped.data(), static_cast<int>(row)) ==
        0) {
        return "cannot write " + path.string();
    }
    return {};
}

} // namespace kiosk::ui
