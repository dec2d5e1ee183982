# kiosk_options: an interface target carrying the sanitizer flags when
# KIOSK_SANITIZE is on. Every project target links it.
add_library(kiosk_options INTERFACE)
if(KIOSK_SANITIZE)
  target_compile_options(kiosk_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(kiosk_options INTERFACE -fsanitize=address,undefined)
endif()
