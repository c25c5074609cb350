# Text that is not ASCII: lengths and offsets in characters (grapheme clusters), case mapping.
locals {
  word  = "héllo"
  flag  = "🇫🇷"
  accent = "e\u0301"
}
