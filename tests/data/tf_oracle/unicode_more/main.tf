locals {
  decomposed = "e\u0301"
  family     = "👨‍👩‍👧"
  flags      = "🇫🇷🇩🇪"
}
