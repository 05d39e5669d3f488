# The Debian package pve-smokerbak_<version>_amd64.deb, built with CPack:
#   cmake --build BUILD --target pve-smokerbak && cd BUILD && cpack -G DEB
# (deploy/ci-package-check.sh builds, installs, checks and removes it.)
# Included from the root CMakeLists.txt after project(); every path here is absolute because
# a Debian package installs to fixed places (/usr/bin, /lib/systemd/system, /etc, /var/lib).
#
# Contents:
#   /usr/bin/pve-smokerbak                       (install rule in agent/CMakeLists.txt)
#   /lib/systemd/system/pve-smokerbak{,-validate}.{service,timer}, pve-smokerbak-failure@.service
#   /etc/pve-smokerbak/config.yaml               conffile, from deploy/config.example.yaml
#   /etc/pve-smokerbak/credentials/, ssh/        0700, for secrets and the SSH key
#   /var/lib/pve-smokerbak/                      0700, the agent's state
#   /usr/share/man/man1/pve-smokerbak.1.gz, /usr/share/bash-completion/completions/pve-smokerbak
#   /usr/share/doc/pve-smokerbak/                operator docs and examples
include_guard(GLOBAL)

set(_pkg_root "${CMAKE_CURRENT_LIST_DIR}/..")
set(_pkg_stage "${CMAKE_CURRENT_BINARY_DIR}/package-files")
set(_pkg_doc /usr/share/doc/pve-smokerbak)
set(_pkg_rw OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
set(_pkg_rwx OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
             WORLD_EXECUTE)

# systemd units (not enabled by the package; see deploy/debian/postinst).
install(FILES
  ${_pkg_root}/deploy/systemd/pve-smokerbak.service
  ${_pkg_root}/deploy/systemd/pve-smokerbak.timer
  ${_pkg_root}/deploy/systemd/pve-smokerbak-validate.service
  ${_pkg_root}/deploy/systemd/pve-smokerbak-validate.timer
  ${_pkg_root}/deploy/systemd/pve-smokerbak-failure@.service
  DESTINATION /lib/systemd/system PERMISSIONS ${_pkg_rw})

# /etc/pve-smokerbak itself: 0750 (it lists where the secrets are).
file(MAKE_DIRECTORY ${_pkg_stage}/etc/pve-smokerbak)
install(DIRECTORY ${_pkg_stage}/etc/pve-smokerbak DESTINATION /etc
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)

# Configuration: a conffile, so dpkg never overwrites an operator's edits on upgrade.
# It names secret files but holds no secret, hence 0640.
set(_pkg_example_config ${_pkg_root}/deploy/config.example.yaml)
if(EXISTS ${_pkg_example_config})
  install(FILES ${_pkg_example_config} DESTINATION /etc/pve-smokerbak RENAME config.yaml
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  install(FILES ${_pkg_example_config} DESTINATION ${_pkg_doc}/examples PERMISSIONS ${_pkg_rw})
else()
  message(WARNING "deploy/config.example.yaml is missing: the package will have no config")
endif()

# Private directories: created empty in the build tree, installed with mode 0700.
foreach(_dir credentials ssh pve-smokerbak)
  file(MAKE_DIRECTORY ${_pkg_stage}/private/${_dir})
endforeach()
install(DIRECTORY ${_pkg_stage}/private/credentials ${_pkg_stage}/private/ssh
        DESTINATION /etc/pve-smokerbak DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(DIRECTORY ${_pkg_stage}/private/pve-smokerbak DESTINATION /var/lib
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)

# Man page: the hand-written roff source, gzipped at configure time (re-run when it changes).
set(_pkg_man ${_pkg_root}/docs/pve-smokerbak.1)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_pkg_man})
execute_process(COMMAND gzip -9nc ${_pkg_man} OUTPUT_FILE ${_pkg_stage}/pve-smokerbak.1.gz
                RESULT_VARIABLE _pkg_gzip_rc)
if(NOT _pkg_gzip_rc EQUAL 0)
  message(FATAL_ERROR "gzip of ${_pkg_man} failed")
endif()
install(FILES ${_pkg_stage}/pve-smokerbak.1.gz DESTINATION /usr/share/man/man1
        PERMISSIONS ${_pkg_rw})

install(FILES ${_pkg_root}/deploy/bash-completion/pve-smokerbak
        DESTINATION /usr/share/bash-completion/completions PERMISSIONS ${_pkg_rw})

# Documentation and examples. Docs written by other parts of the project are shipped when
# present, so a missing one never breaks the build.
foreach(_doc operator-guide.md configuration.md exit-codes.md metrics.md ARCHITECTURE.md)
  if(EXISTS ${_pkg_root}/docs/${_doc})
    install(FILES ${_pkg_root}/docs/${_doc} DESTINATION ${_pkg_doc} PERMISSIONS ${_pkg_rw})
  endif()
endforeach()
install(FILES ${_pkg_root}/deploy/systemd/on-failure.example DESTINATION ${_pkg_doc}/examples
        RENAME on-failure PERMISSIONS ${_pkg_rwx})

# CPack: Debian package only.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pve-smokerbak)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "pve-smokerbak")
set(CPACK_PACKAGE_CONTACT "pve-smokerbak maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "two-tier backup agent for one Proxmox VE guest (vzdump + mongodump)")
set(CPACK_PACKAGE_DESCRIPTION
    "pve-smokerbak runs on a Proxmox VE host from a systemd timer. It makes snapshot-mode\n\
vzdump backups of one container through the Proxmox VE API, streams validated mongodump\n\
backups of the MongoDB inside it over SSH, and applies one prune-backups retention policy\n\
to both tiers. It reports through `pve-smokerbak status` and a Prometheus textfile.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # 11 MB with RelWithDebInfo symbols, about 2 MB stripped
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # pve-smokerbak_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies are computed from the binary by dpkg-shlibdeps (dpkg-dev); the agent
# needs nothing else at run time. No "Depends: systemd": Proxmox VE always has it, and the
# binary itself runs without it (CI installs the package in containers without systemd).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus-node-exporter")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_pkg_root}/deploy/debian/postinst
    ${_pkg_root}/deploy/debian/prerm ${_pkg_root}/deploy/debian/postrm)
if(EXISTS ${_pkg_example_config})
  list(APPEND CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${_pkg_root}/deploy/debian/conffiles)
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The absolute destinations above are intended (see the header comment).
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
