//! The paper's reference problem, from the facade (`sgntk::reference`).

pub use sgntk::reference::*;
