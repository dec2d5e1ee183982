// GLFW + OpenGL 3 + Dear ImGui backends set-up and tear-down, and the lock-down rules.
#include "kiosk/ui/window.hpp"

#include <GLFW/glfw3.h>
#include <array>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <cstdint>
#include <imgui.h>
#include <spdlog/spdlog.h>

namespace kiosk::ui {
namespace {

void on_glfw_error(int code, const char* description) {
    spdlog::error("glfw: error {}: {}", code, description);
}

// Dear ImGui's OpenGL 3 backend uploads the font atlas as RGBA: white with the glyphs in
// alpha, four times the bytes the glyphs need (11 MB at 1080p; copying and page-faulting
// them was a tenth of the kiosk's start-up). One channel, read as (1, 1, 1, a) through a
// swizzle, gives the shader the same colours from 2.8 MB.
GLuint upload_alpha_atlas(ImFontAtlas& atlas) {
    unsigned char* pixels = nullptr;
    int width = 0;
    int height = 0;
    atlas.GetTexDataAsAlpha8(&pixels, &width, &height);
    GLint last_texture = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &last_texture);
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    const std::array<GLint, 4> white_with_alpha = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, white_with_alpha.data());
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, width, height, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
    glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(last_texture));
    atlas.SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(texture)));
    // The glyphs live in the texture now; the CPU copy would be megabytes held for nothing.
    atlas.ClearTexData();
    return texture;
}

// The backend makes its shader and buffers and uploads "the" font texture in one call. It
// is handed an atlas of one blank pixel for that upload (a texture dropped straight after),
// so the real atlas goes up once, as upload_alpha_atlas makes it.
GLuint create_device_objects(ImFontAtlas& fonts) {
    ImFontAtlas blank;
    blank.TexWidth = 1;
    blank.TexHeight = 1;
    blank.TexPixelsRGBA32 = static_cast<unsigned int*>(IM_ALLOC(sizeof(unsigned int)));
    *blank.TexPixelsRGBA32 = 0;
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts = &blank;
    ImGui_ImplOpenGL3_CreateDeviceObjects();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    io.Fonts = &fonts;
    return upload_alpha_atlas(fonts);
}

} // namespace

int KioskWindow::expected_height(const WindowOptions& options) {
    if (options.windowed) {
        return options.height;
    }
    glfwSetErrorCallback(on_glfw_error);
    if (glfwInit() == GLFW_FALSE) {
        return options.height; // create() will say why
    }
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor != nullptr ? glfwGetVideoMode(monitor) : nullptr;
    return mode != nullptr ? mode->height : options.height;
}

std::unique_ptr<KioskWindow> KioskWindow::create(const WindowOptions& options,
                                                 std::future<BuiltFonts> fonts,
                                                 std::string& error) {
    glfwSetErrorCallback(on_glfw_error);
    if (glfwInit() == GLFW_FALSE) {
        error = "cannot open the display (is DISPLAY set, or run under xvfb-run?)";
        return nullptr;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE); // a kiosk never minimises itself
    glfwWindowHint(GLFW_RESIZABLE, options.windowed ? GLFW_TRUE : GLFW_FALSE);
    // Dear ImGui draws 2D with blending only: no depth or stencil buffer for the software
    // rasteriser to allocate and keep per tile.
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);

    GLFWmonitor* monitor = nullptr;
    int width = options.width;
    int height = options.height;
    if (!options.windowed) {
        monitor = glfwGetPrimaryMonitor();
        const GLFWvidmode* mode = monitor != nullptr ? glfwGetVideoMode(monitor) : nullptr;
        if (mode == nullptr) {
            glfwTerminate();
            error = "no monitor found for fullscreen (use --windowed for development)";
            return nullptr;
        }
        glfwWindowHint(GLFW_RED_BITS, mode->redBits);
        glfwWindowHint(GLFW_GREEN_BITS, mode->greenBits);
        glfwWindowHint(GLFW_BLUE_BITS, mode->blueBits);
        glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
        width = mode->width;
        height = mode->height;
    }
    GLFWwindow* window = glfwCreateWindow(width, height, options.title.c_str(), monitor, nullptr);
    if (window == nullptr) {
        glfwTerminate();
        error = "cannot create an OpenGL 3.3 window";
        return nullptr;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    if (!options.windowed) {
        glfwSetInputMode(window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN); // touch screens show no pointer
    }

    IMGUI_CHECKVERSION();
    BuiltFonts built = fonts.get();
    ImGui::CreateContext(built.atlas.get());
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr; // nothing about a session may be written to disk
    io.LogFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    // Our callbacks queue input for InputTrickle, which hands it to the backend frame by
    // frame; they also count events so the loop knows when to draw.
    ImGui_ImplGlfw_InitForOpenGL(window, /*install_callbacks=*/false);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    const GLuint font_texture = create_device_objects(*built.atlas);
    int framebuffer_width = 0;
    int framebuffer_height = 0;
    glfwGetFramebufferSize(window, &framebuffer_width, &framebuffer_height);
    apply_style(built.sets, static_cast<float>(framebuffer_height));
    auto kiosk_window =
        std::unique_ptr<KioskWindow>(new KioskWindow(window, options.windowed, std::move(built)));
    kiosk_window->font_texture_ = font_texture;
    glfwSetWindowUserPointer(window, kiosk_window.get());
    glfwSetKeyCallback(window, &KioskWindow::on_key);
    glfwSetCharCallback(window, &KioskWindow::on_char);
    glfwSetMouseButtonCallback(window, &KioskWindow::on_mouse_button);
    glfwSetScrollCallback(window, &KioskWindow::on_scroll);
    glfwSetWindowFocusCallback(window, &KioskWindow::on_focus);
    glfwSetCursorEnterCallback(window, &KioskWindow::on_cursor_enter);
    glfwSetWindowRefreshCallback(window, &KioskWindow::on_refresh);
    return kiosk_window;
}

KioskWindow::KioskWindow(GLFWwindow* window, bool windowed, BuiltFonts fonts)
    : window_(window), windowed_(windowed), fonts_(std::move(fonts)) {}

KioskWindow& KioskWindow::of(GLFWwindow* window) {
    auto* self = static_cast<KioskWindow*>(glfwGetWindowUserPointer(window));
    IM_ASSERT(self != nullptr && "GLFW callback before the KioskWindow was attached");
    ++self->events_;
    return *self;
}

void KioskWindow::on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
    of(window).input_.push({InputEvent::Kind::Key, key, action, scancode, mods, 0, 0});
}

void KioskWindow::on_char(GLFWwindow* window, unsigned int codepoint) {
    of(window).input_.push({InputEvent::Kind::Char, static_cast<int>(codepoint), 0, 0, 0, 0, 0});
}

void KioskWindow::on_mouse_button(GLFWwindow* window, int button, int action, int mods) {
    of(window).input_.push({InputEvent::Kind::MouseButton, button, action, 0, mods, 0, 0});
}

void KioskWindow::on_scroll(GLFWwindow* window, double x, double y) {
    of(window).input_.push({InputEvent::Kind::Scroll, 0, 0, 0, 0, x, y});
}

void KioskWindow::on_focus(GLFWwindow* window, int focused) {
    of(window).input_.push({InputEvent::Kind::Focus, focused, 0, 0, 0, 0, 0});
}

void KioskWindow::on_cursor_enter(GLFWwindow* window, int entered) {
    of(window).input_.push({InputEvent::Kind::CursorEnter, entered, 0, 0, 0, 0, 0});
}

void KioskWindow::on_refresh(GLFWwindow* window) {
    of(window);
}

KioskWindow::~KioskWindow() {
    glDeleteTextures(1, &font_texture_);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window_);
    glfwTerminate();
}

void KioskWindow::begin_frame() {
    for (const InputEvent& e : input_.take_for_frame()) {
        switch (e.kind) {
        case InputEvent::Kind::Key:
            ImGui_ImplGlfw_KeyCallback(window_, e.code, e.scancode, e.action, e.mods);
            break;
        case InputEvent::Kind::Char:
            ImGui_ImplGlfw_CharCallback(window_, static_cast<unsigned int>(e.code));
            break;
        case InputEvent::Kind::MouseButton:
            ImGui_ImplGlfw_MouseButtonCallback(window_, e.code, e.action, e.mods);
            break;
        case InputEvent::Kind::Scroll:
            ImGui_ImplGlfw_ScrollCallback(window_, e.x, e.y);
            break;
        case InputEvent::Kind::Focus:
            ImGui_ImplGlfw_WindowFocusCallback(window_, e.code);
            break;
        case InputEvent::Kind::CursorEnter:
            ImGui_ImplGlfw_CursorEnterCallback(window_, e.code);
            break;
        }
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
}

void KioskWindow::render() {
    ImGui::Render();
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void KioskWindow::present() {
    glfwSwapBuffers(window_);
}

bool KioskWindow::wait(std::optional<std::chrono::milliseconds> timeout) {
    const auto before = events_;
    if (timeout) {
        glfwWaitEventsTimeout(static_cast<double>(timeout->count()) / 1000.0);
    } else {
        glfwWaitEvents();
    }
    return events_ != before;
}

bool KioskWindow::poll() {
    const auto before = events_;
    glfwPollEvents();
    return events_ != before;
}

void KioskWindow::wake() {
    glfwPostEmptyEvent();
}

bool KioskWindow::close_requested() const {
    if (glfwWindowShouldClose(window_) == GLFW_FALSE) {
        return false;
    }
    if (windowed_) {
        return true;
    }
    // Fullscreen kiosks refuse Alt+F4 and the like; staff stop the service instead.
    glfwSetWindowShouldClose(window_, GLFW_FALSE);
    return false;
}

int KioskWindow::framebuffer_width() const {
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    return width;
}

int KioskWindow::framebuffer_height() const {
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    return height;
}

} // namespace kiosk::ui
