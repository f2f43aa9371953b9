# Installs the motia binary on Windows (docs/release.md):
#   irm https://raw.githubusercontent.com/MotiaDev/motia/main/install.ps1 | iex
#   & ./install.ps1 [-Version 0.1.0] [-Dir $HOME\.motia\bin]
# The same steps as install.sh: picks the build (windows-x64, which needs AVX2), downloads it from
# $env:MOTIA_INSTALL_BASE (a release page: <base>/latest/download/<file>,
# <base>/download/v<version>/<file>), checks its SHA-256 against the release's SHA256SUMS and
# refuses it on a mismatch, puts motia.exe in ~\.motia\bin (or -Dir) and adds that folder to the
# user's PATH. Safe to run again: the new file replaces the old one in one step.
param(
  [string]$Version = '',
  [string]$Dir = ''
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Fail([string]$Message) {
  [Console]::Error.WriteLine("motia install: $Message")
  exit 1
}

$base = if ($env:MOTIA_INSTALL_BASE) { $env:MOTIA_INSTALL_BASE.TrimEnd('/') } else { 'https://github.com/MotiaDev/motia/releases' }
if (-not $Dir) { $Dir = if ($env:MOTIA_INSTALL_DIR) { $env:MOTIA_INSTALL_DIR } else { Join-Path $HOME '.motia\bin' } }
$Version = $Version.TrimStart('v')

# --- which build this machine runs ---------------------------------------------------------------
if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) {
  Fail 'this is not Windows: use install.sh instead (curl -fsSL https://raw.githubusercontent.com/MotiaDev/motia/main/install.sh | sh)'
}
$arch = $env:PROCESSOR_ARCHITECTURE
if ($env:PROCESSOR_ARCHITEW6432) { $arch = $env:PROCESSOR_ARCHITEW6432 }
if ($arch -ne 'AMD64') {
  Fail "motia has no build for Windows on $arch`: releases cover Windows x64 (and Linux, macOS through install.sh)"
}
Add-Type -Namespace MotiaInstall -Name Cpu -MemberDefinition '[DllImport("kernel32.dll")] public static extern bool IsProcessorFeaturePresent(int feature);'
# PF_AVX2_INSTRUCTIONS_AVAILABLE = 40
if (-not [MotiaInstall.Cpu]::IsProcessorFeaturePresent(40)) {
  Fail 'this CPU lacks AVX2: motia has no Windows build for it (on Linux, linux-x64-baseline runs without it)'
}
$target = 'windows-x64'

# --- download and verify -------------------------------------------------------------------------
$from = if ($Version) { "$base/download/v$Version" } else { "$base/latest/download" }
$release = if ($Version) { $Version } else { 'latest' }
$tmp = Join-Path ([IO.Path]::GetTempPath()) ("motia-install-" + [Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $tmp | Out-Null
try {
  try {
    Invoke-WebRequest -UseBasicParsing -Uri "$from/SHA256SUMS" -OutFile (Join-Path $tmp 'SHA256SUMS')
  } catch {
    Fail "no release $release at $from (could not download SHA256SUMS)"
  }
  $line = Get-Content (Join-Path $tmp 'SHA256SUMS') | Where-Object { $_ -match "^[0-9a-f]{64}  motia-\S+-$([regex]::Escape($target))\.zip$" } | Select-Object -First 1
  if (-not $line) { Fail "release $release has no build for $target (see $from/SHA256SUMS)" }
  $expected, $archive = $line -split '  ', 2
  Write-Output "downloading $archive"
  $zip = Join-Path $tmp $archive
  try {
    Invoke-WebRequest -UseBasicParsing -Uri "$from/$archive" -OutFile $zip
  } catch {
    Fail "could not download $from/$archive"
  }
  $actual = (Get-FileHash -Algorithm SHA256 -Path $zip).Hash.ToLowerInvariant()
  if ($actual -ne $expected) {
    Fail "checksum mismatch for $archive`: expected $expected, got $actual. The download is corrupt or was tampered with; nothing was installed"
  }

  # --- install -----------------------------------------------------------------------------------
  $unpacked = Join-Path $tmp 'x'
  Expand-Archive -Path $zip -DestinationPath $unpacked -Force
  $exe = Join-Path $unpacked 'motia.exe'
  if (-not (Test-Path $exe)) { Fail "$archive holds no motia.exe" }
  New-Item -ItemType Directory -Force -Path $Dir | Out-Null
  $dest = Join-Path $Dir 'motia.exe'
  $new = Join-Path $Dir ".motia.new.$PID.exe"
  Copy-Item -Path $exe -Destination $new -Force
  # A running motia.exe cannot be overwritten on Windows, but it can be renamed out of the way.
  if (Test-Path $dest) {
    $old = Join-Path $Dir ".motia.old.$PID.exe"
    Move-Item -Path $dest -Destination $old -Force
    Remove-Item -Path $old -Force -ErrorAction SilentlyContinue
  }
  Move-Item -Path $new -Destination $dest -Force
  $installed = & $dest --version
  if ($LASTEXITCODE -ne 0) { Fail "$dest was installed but does not run on this machine ($target)" }
  Write-Output "motia $installed ($target) installed in $dest"
} finally {
  Remove-Item -Recurse -Force -Path $tmp -ErrorAction SilentlyContinue
}

# --- PATH ----------------------------------------------------------------------------------------
$userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
$entries = @($userPath -split ';' | Where-Object { $_ })
if ($entries -notcontains $Dir) {
  [Environment]::SetEnvironmentVariable('Path', (@($entries) + $Dir) -join ';', 'User')
  Write-Output "added $Dir to your user PATH: open a new terminal, then run: motia --help"
} else {
  Write-Output 'run: motia --help'
}
