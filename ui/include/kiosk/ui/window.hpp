// KioskWindow: the one GLFW window with its OpenGL 3.3 context and Dear ImGui's GLFW and
// OpenGL 3 backends. Locked down for a lobby: fullscreen at the monitor's own mode, no
// auto-iconify, close requests refused, no imgui.ini.
#pragma once

#include "kiosk/ui/input_trickle.hpp"
#include "kiosk/ui/theme.hpp"

#include <chrono>
#include <cstdint>
#include <future>
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
    // The height the window's framebuffer will have: the monitor's mode when fullscreen
    // (opens the display if need be; cheap next to making the window), for sizing fonts
    // before the window exists. Falls back to `options.height` when there is no monitor.
    static int expected_height(const WindowOptions& options);
    // Returns nullptr and sets `error` when there is no display or no OpenGL 3.3. Takes the
    // fonts (from build_fonts_async, waited for only once the OpenGL context exists) into
    // the Dear ImGui context it makes, and sets the style for them.
    static std::unique_ptr<KioskWindow> create(const WindowOptions& options,
                                               std::future<BuiltFonts> fonts, std::string& error);
    ~KioskWindow();
    KioskWindow(const KioskWindow&) = delete;
    KioskWindow& operator=(const KioskWindow&) = delete;

    void begin_frame(); // backends' and ImGui's NewFrame
    void render();      // ImGui::Render and draw into the back buffer
    void present();     // swap buffers

    // Sleeps until an input event, a wake() or the timeout (none: wait indefinitely).
    // Both return whether any input or window event arrived, which the next frames must
    // show: events taken from the window system and never drawn would be lost to the user.
    bool wait(std::optional<std::chrono::milliseconds> timeout);
    bool poll();
    // Thread-safe: makes wait() return. Safe to call once the window exists.
    static void wake();

    // Input received but not yet handed to Dear ImGui: more frames are needed.
    [[nodiscard]] bool has_pending_input() const { return !input_.empty(); }

    [[nodiscard]] bool close_requested() const;
    [[nodiscard]] int framebuffer_width() const;
    [[nodiscard]] int framebuffer_height() const;
    [[nodiscard]] const FontSets& fonts() const { return fonts_.sets; }

private:
    KioskWindow(GLFWwindow* window, bool windowed, BuiltFonts fonts);
    static KioskWindow& of(GLFWwindow* window);
    static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);
    static void on_char(GLFWwindow* window, unsigned int codepoint);
    static void on_mouse_button(GLFWwindow* window, int button, int action, int mods);
    static void on_scroll(GLFWwindow* window, double x, double y);
    static void on_focus(GLFWwindow* window, int focused);
    static void on_cursor_enter(GLFWwindow* window, int entered);
    static void on_refresh(GLFWwindow* window);

    GLFWwindow* window_;
    bool windowed_;
    BuiltFonts fonts_;          // the atlas outlives the Dear ImGui context that shares it
    unsigned font_texture_ = 0; // the atlas's glyphs, one channel (see upload_alpha_atlas)
    std::uint64_t events_ = 0;  // input and window events seen, for wait()/poll()
    InputTrickle input_;        // input waiting to be handed to Dear ImGui
};

} // namespace kiosk::ui
