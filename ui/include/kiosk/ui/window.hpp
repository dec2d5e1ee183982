// KioskWindow: the one GLFW window with its OpenGL 3.3 context and Dear ImGui's GLFW and
// OpenGL 3 backends. Locked down for a lobby: fullscreen at the monitor's own mode, no
// auto-iconify, close requests refused, no imgui.ini.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

struct GLFWwindow;

namespace kiosk::ui {

struct WindowOptions {
    bool windowed = false; // development: a normal window that may be closed
    int width = 1280;      // windowed size; fullscreen takes the monitor's mode
    int height = 800;
    std::string title = "Self-Service Kiosk";
};

class KioskWindow {
public:
    // Returns nullptr and sets `error` when there is no display or no OpenGL 3.3.
    static std::unique_ptr<KioskWindow> create(const WindowOptions& options, std::string& error);
    ~KioskWindow();
    KioskWindow(const KioskWindow&) = delete;
    KioskWindow& operator=(const KioskWindow&) = delete;

    void begin_frame(); // backends' and ImGui's NewFrame
    void render();      // ImGui::Render and draw into the back buffer
    void present();     // swap buffers

    // Sleeps until an input event, a wake() or the timeout (none: wait indefinitely).
    void wait(std::optional<std::chrono::milliseconds> timeout);
    void poll();
    // Thread-safe: makes wait() return. Safe to call once the window exists.
    static void wake();

    [[nodiscard]] bool close_requested() const;
    [[nodiscard]] int framebuffer_width() const;
    [[nodiscard]] int framebuffer_height() const;

private:
    explicit KioskWindow(GLFWwindow* window, bool windowed);
    GLFWwindow* window_;
    bool windowed_;
};

} // namespace kiosk::ui
