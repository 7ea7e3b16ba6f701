; Inno Setup 6 script for k2desk (Windows installer).
;
; Build on Windows, after the PyInstaller one-folder build has made dist\k2desk\ (see
; packaging\README.md), from the repository root:
;     iscc /DAppVersion=0.1.0 packaging\windows\k2desk.iss
; The installer is written to dist\installer\k2desk-<version>-setup.exe.
;
; This script cannot be compiled on the Linux build machine; it was written against the
; Inno Setup 6 documentation ([Setup], [Files], [Icons], [InstallDelete], [UninstallDelete]).
;
; THE PHARMACY'S DATA IS NEVER TOUCHED BY THIS SCRIPT. k2desk keeps its database, backups and
; window settings in the user's data directory chosen by platformdirs,
; %LOCALAPPDATA%\k2desk (or the folder given with --data-dir / K2DESK_DATA_DIR), never under
; {app}. The uninstaller removes only what this installer put in {app} and the shortcuts;
; [UninstallDelete] below names only {app}\_internal (program files) and {app} itself when
; empty, and nothing under {localappdata}, {userappdata} or {commonappdata}. Do not add such
; entries.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "k2desk"
#define AppPublisher "k2desk"
; Relative to this script: the repository root is two folders up.
#define RepoRoot AddBackslash(SourcePath) + "..\.."
#define BundleDir RepoRoot + "\dist\k2desk"

[Setup]
; The AppId identifies k2desk to Windows across versions (upgrades, the uninstall entry).
; Never change it. The doubled "{{" is how Inno Setup writes a literal "{".
AppId={{AC9019C2-F5EA-4603-B0D5-31616A2E93D0}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
; Per-user install by default (no administrator needed at the counter); the dialog lets IT
; choose an install for all users instead. {autopf} follows that choice:
; %LOCALAPPDATA%\Programs\k2desk per user, C:\Program Files\k2desk for all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; The bundle is 64-bit Python and Qt.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#RepoRoot}\dist\installer
OutputBaseFilename=k2desk-{#AppVersion}-setup
SetupIconFile={#RepoRoot}\resources\icons\k2desk.ico
UninstallDisplayIcon={app}\k2deskw.exe
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Ask to close a running k2desk before replacing its files.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundled libraries as a whole, so that files a newer version no longer
; ships do not linger beside the new ones. Program files only: the data directory is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
; The whole PyInstaller one-folder bundle: k2desk.exe (console, command line), k2deskw.exe
; (no console, for the shortcuts) and _internal\.
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; Start-menu shortcut ({autoprograms} is the user's or all users' Start menu, as chosen above).
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\k2deskw.exe"; WorkingDir: "{app}"; Comment: "Vitamin K2 handouts, warfarin warnings and compound order forms"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\k2deskw.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\k2deskw.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Python may write bytecode caches next to the bundle at run time; remove the program folder's
; leftovers only. Nothing here may point at the data directory (%LOCALAPPDATA%\k2desk): the
; pharmacy's patients, documents and audit log must survive an uninstall or a reinstall.
Type: filesandordirs; Name: "{app}\_internal"
Type: dirifempty; Name: "{app}"
