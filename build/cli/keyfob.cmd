@echo off
rem The keyfob CLI shipped inside the app: the app binary in CLI mode (docs/packaging.md).
"%~dp0..\..\Keyfob.exe" --keyfob-cli %*
