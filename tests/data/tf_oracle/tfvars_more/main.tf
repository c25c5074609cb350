variable "obj" {
  type = object({
    name  = string
    size  = optional(number, 2)
    flags = optional(set(string))
    inner = optional(object({ on = optional(bool, true), n = number }))
  })
}

variable "lst" {
  type = list(number)
}

variable "mp" {
  type = map(list(string))
}

variable "untyped_obj" {}

variable "heredoc" {
  type = string
}

variable "num_text" {
  type = string
}

variable "shadowed" {
  default = "from default"
}

variable "tuple_like" {
  type = tuple([string, bool])
}

variable "validated" {
  type    = number
  default = 5
  validation {
    condition     = var.validated > 0
    error_message = "must be positive"
  }
}
