# SPDX-License-Identifier: GPL-3.0-or-later
# Installation and packages: `cmake --install build`, `cpack --config build/CPackConfig.cmake`
# (DEB on Linux, DragNDrop on macOS).
include(GNUInstallDirs)
install(TARGETS agenthive hive-runner
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    BUNDLE DESTINATION .)
if(UNIX AND NOT APPLE)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/linux/agenthive.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
    install(FILES ${CMAKE_CURRENT_LIST_DIR}/linux/io.github.agenthive.AgentHive.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
    if(EXISTS ${CMAKE_SOURCE_DIR}/resources/icons/agenthive.svg)
        install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/agenthive.svg
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
    endif()
endif()

set(CPACK_PACKAGE_NAME "agenthive")
set(CPACK_PACKAGE_VENDOR "Agent Hive contributors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
if(APPLE)
    set(CPACK_GENERATOR "DragNDrop")
else()
    set(CPACK_GENERATOR "DEB")
    set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Agent Hive contributors")
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "tmux (>= 3.3), postgresql-17, postgresql-17-pgvector, redis-server")
    set(CPACK_DEBIAN_PACKAGE_SECTION "devel")
endif()
include(CPack)
