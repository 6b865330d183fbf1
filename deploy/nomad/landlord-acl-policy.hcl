# The ACL policy of the token landlord's `nomad` provider uses (NOMAD_TOKEN).
#
#   nomad acl policy apply -description "landlord compute provider" landlord deploy/nomad/landlord-acl-policy.hcl
#   nomad acl token create -name landlord -policy landlord -type client
#
# It grants what the provider calls and nothing more (docs/compute-providers.md, "The Nomad provider"):
# - agent read: the start-up check, GET /v1/agent/self;
# - in the tenants' namespace (replace "default" with --nomad-namespace / NOMAD_NAMESPACE):
#   - submit-job: register (POST /v1/job/:id with EnforceIndex), plan (POST /v1/job/:id/plan),
#     deregister with purge (DELETE /v1/job/:id?purge=true);
#   - read-job: the job, its latest deployment and its allocations (GET /v1/job/:id,
#     /v1/job/:id/deployment, /v1/job/:id/allocations), blocking queries included;
#   - variables under nomad/jobs/landlord-*: the tenants' secret values (PUT with check-and-set,
#     GET to compare, DELETE on destroy). The tasks themselves read their own job's variable with
#     their workload identity, which needs no policy.
# GET /v1/acl/token/self (the token check) is allowed to every token.
# Nomad's job policies match no job ID: a token with submit-job may submit any job in the namespace,
# so give landlord a namespace of its own.

agent {
  policy = "read"
}

namespace "default" {
  capabilities = ["submit-job", "read-job"]

  variables {
    path "nomad/jobs/landlord-*" {
      capabilities = ["read", "write", "destroy"]
    }
  }
}
