//! fal emulator
