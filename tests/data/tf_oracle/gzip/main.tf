# Inputs for base64gzip(): text files of this folder (fixed pseudo-random text, every code point from 1 to 255, a
# cloud-init document, a task definition) and text built from them. Long results are compared by their sha256.
locals {
  chars     = file("chars.txt")
  words     = file("words.txt")
  noise     = file("printable.txt")
  ab        = file("ab.txt")
  acgt      = file("acgt.txt")
  cjk       = file("cjk.txt")
  cloudinit = file("cloud-init.yaml")
  taskdef   = file("taskdef.json")

  a1000   = join("", [for i in range(1000) : "a"])
  a100k   = join("", [for i in range(100) : local.a1000])
  text    = "${local.noise}${local.words}"
  mixed   = "${local.text}${local.ab}"
  hashes  = join("", [for i in range(1000) : base64sha512("block-${i}")])
  hashes4 = join("", [for j in range(4) : join("", [for i in range(1000) : base64sha512("${j}/${i}")])])

  seed = substr(local.noise, 0, 300)

  # a prefix of k characters twice: a match of exactly k bytes, k + 1 back
  twice = [for k in range(3, 259) : "${substr(local.seed, 0, k)}|${substr(local.seed, 0, k)}"]
}
