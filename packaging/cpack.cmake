# CPack: one `cpack` (scripts/package.sh) makes the .deb and the .rpm from the install rules.
# Included from the top-level CMakeLists.txt (CPack must be included there).

set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGE_NAME tandem)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "tandem")
set(CPACK_PACKAGE_CONTACT "tandem maintainers <maintainers@users.noreply.r-seed-493ad6cf.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SSH bastion with collaborative sessions")
# Lines under 80 columns (lintian, rpmlint).
set(CPACK_PACKAGE_DESCRIPTION
    "tandem is an SSH bastion host (jump server) for operations teams. People SSH
into the bastion with their own key and a stock OpenSSH client, pick an account
on a managed host that an administrator granted them, and work on that host
through the bastion, which holds the credential, verifies the host's pinned key
and records every session. Sessions can be shared: colleagues holding a grant
on the same account join read-only over SSH or in a browser and can ask for
control.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_SOURCE_DIR}/dist)
# cpack installs what is built and does not rebuild the whole tree (tests included) first:
# scripts/package.sh builds before packaging unless told the tree is built (--no-build).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
# Only the runtime: the tests, the benchmark and headers are not installed.
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};tandem;ALL;/")
# scripts/package.sh may raise the version (the upgrade test builds a newer package).
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_LIST_DIR}/cpack_project.cmake)

set(PKG_DIR ${CMAKE_CURRENT_LIST_DIR})

# Debian
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # tandem_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Besides the libraries: useradd/groupadd in the maintainer helper.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "openssh-server")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PKG_DIR}/deb/postinst ${PKG_DIR}/deb/prerm ${PKG_DIR}/deb/postrm ${PKG_DIR}/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# RPM
set(CPACK_RPM_PACKAGE_LICENSE "Unknown")  # the sources state no license yet
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${CPACK_PACKAGE_CONTACT}")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_URL "https://example.invalid/tandem")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)
# RPM names: useradd/groupadd come from shadow-utils (Debian: passwd).
set(CPACK_RPM_PACKAGE_REQUIRES_POST "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES_PREUN "systemd")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PKG_DIR}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PKG_DIR}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PKG_DIR}/rpm/postun.sh)
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/tandem/tandem.conf")
set(CPACK_RPM_CHANGELOG_FILE ${PKG_DIR}/rpm/changelog)
# Directories the distribution's own packages own.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /usr/bin /usr/sbin /usr/lib/systemd /usr/lib/systemd/system /usr/lib/tmpfiles.d /usr/libexec
    /usr/share/man /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man8
    /usr/share/doc)

include(CPack)
