# Build options shared by every module.
option(KIOSK_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" ON)
option(KIOSK_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(KIOSK_BUILD_GUI "Build the kiosk window (needs GLFW, OpenGL and Dear ImGui)" ON)
