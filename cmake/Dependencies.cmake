# Finds every third-party library, all from Debian 12 packages
# (scripts/install-deps.sh installs them), and exposes each as an imported target.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
pkg_check_modules(ARGON2 REQUIRED IMPORTED_TARGET libargon2)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)
pkg_check_modules(FRIBIDI REQUIRED IMPORTED_TARGET fribidi)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode) # kioskctl enrol: codes as QR
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq) # kiosk-central on PostgreSQL
pkg_check_modules(ICU_UC REQUIRED IMPORTED_TARGET icu-uc) # passwords: NFKC and case folding
# [checklist] The password screen's strength meter (libzxcvbn-dev ships no .pc file).
find_library(ZXCVBN_LIBRARY zxcvbn REQUIRED)
find_path(ZXCVBN_INCLUDE_DIR zxcvbn.h REQUIRED)
add_library(Zxcvbn::Zxcvbn UNKNOWN IMPORTED)
set_target_properties(Zxcvbn::Zxcvbn PROPERTIES IMPORTED_LOCATION "${ZXCVBN_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${ZXCVBN_INCLUDE_DIR}")
if(KIOSK_BUILD_GUI)
  find_package(OpenGL REQUIRED)
  pkg_check_modules(GLFW REQUIRED IMPORTED_TARGET glfw3)
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
  # bench/attract_screen_watch: sees when a program's first frame reaches the screen
  pkg_check_modules(X11_DAMAGE REQUIRED IMPORTED_TARGET x11 xdamage)
endif()

# Declares a project library with the shared options, its include folder and a
# kiosk::NAME alias. Usage: kiosk_library(NAME SOURCES...)
function(kiosk_library name)
  add_library(kiosk_${name} ${ARGN})
  add_library(kiosk::${name} ALIAS kiosk_${name})
  target_include_directories(kiosk_${name} PUBLIC
    ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(kiosk_${name} PRIVATE kiosk_warnings PUBLIC kiosk_options)
endfunction()

# Declares a GoogleTest executable whose tests CTest discovers by itself.
# Usage: kiosk_test(NAME SOURCES... LIBS libs...)
function(kiosk_test name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main kiosk_warnings kiosk_options)
  target_compile_definitions(${name} PRIVATE
    KIOSK_BINARY_DIR="${CMAKE_BINARY_DIR}" KIOSK_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    KIOSK_VERSION_STRING="${PROJECT_VERSION}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
