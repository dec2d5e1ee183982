# Generates kiosk/version.hpp so every program prints the same --version.
configure_file(${CMAKE_SOURCE_DIR}/cmake/version.hpp.in
               ${CMAKE_BINARY_DIR}/generated/kiosk/version.hpp @ONLY)
