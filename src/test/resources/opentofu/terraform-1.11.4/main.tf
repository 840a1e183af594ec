variable "password" {
  type      = string
  sensitive = true
  default   = "hunter2-hunter2"
}
resource "terraform_data" "kept" { input = "same" }
resource "terraform_data" "changed" { input = "new" }
resource "terraform_data" "replaced" { triggers_replace = ["2"] }
resource "terraform_data" "added" {
  input = { user = "app", password = var.password }
}
data "terraform_remote_state" "none" {
  backend = "local"
  config = { path = "other.tfstate" }
  defaults = { x = 1 }
}
output "greeting" { value = "hello" }
output "secret" {
  value     = var.password
  sensitive = true
}
