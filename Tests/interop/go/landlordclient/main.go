// Command landlordclient is the Go interop client of the landlord compute service: grpc-go
// (Debian's golang-google-grpc-dev) and stubs generated from proto/ with protoc-gen-go and
// protoc-gen-go-grpc, built in GOPATH mode (no module downloads). It connects over TLS, with a
// client certificate (mutual TLS) and a bearer token when given, and makes the calls its
// arguments name, printing one line per call: "<method> <code> <detail>".
//
// Run by Tests/interop/test_go_client.py; see docs/api.md ("Authentication") for the same code
// as a snippet.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	computev1 "landlord.dev/api/landlord/compute/v1"
)

// protoCodec marshals with the protobuf API v2 (google.golang.org/protobuf), which the stubs of
// Debian's protoc-gen-go 1.28 are written for. Debian's grpc-go (1.33) marshals with
// github.com/golang/protobuf 1.3, which predates API v2 and cannot read those messages;
// registering this codec under grpc's "proto" name replaces its default.
type protoCodec struct{}

func (protoCodec) Marshal(v interface{}) ([]byte, error) { return proto.Marshal(v.(proto.Message)) }
func (protoCodec) Unmarshal(data []byte, v interface{}) error {
	return proto.Unmarshal(data, v.(proto.Message))
}
func (protoCodec) Name() string { return "proto" }

func init() { encoding.RegisterCodec(protoCodec{}) }

// bearer sends "authorization: Bearer <token>" on every call, over TLS only.
type bearer string

func (t bearer) GetRequestMetadata(ctx context.Context, uri ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(t)}, nil
}

func (bearer) RequireTransportSecurity() bool { return true }

func dial(address, serverName, ca, cert, key, token string) (*grpc.ClientConn, error) {
	roots := x509.NewCertPool()
	pem, err := ioutil.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", ca)
	}
	config := &tls.Config{RootCAs: roots, ServerName: serverName, MinVersion: tls.VersionTLS12}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	options := []grpc.DialOption{grpc.WithTransportCredentials(credentials.NewTLS(config)), grpc.WithBlock()}
	if token != "" {
		options = append(options, grpc.WithPerRPCCredentials(bearer(token)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return grpc.DialContext(ctx, address, options...)
}

func spec(tenant string) *computev1.TenantComputeSpec {
	return &computev1.TenantComputeSpec{
		TenantId:     tenant,
		ProviderType: "mock",
		Containers: []*computev1.ContainerSpec{{
			Name:  "web",
			Image: "nginx:1.25",
			Ports: []*computev1.PortMapping{{ContainerPort: 8080, Protocol: "tcp"}},
		}},
		Resources: &computev1.ResourceRequirements{Cpu: 256, Memory: 512},
	}
}

func call(client computev1.ComputeServiceClient, method, tenant string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch method {
	case "ListProviders":
		response, err := client.ListProviders(ctx, &computev1.ListProvidersRequest{})
		if err != nil {
			return "", err
		}
		return strings.Join(response.Providers, ","), nil
	case "ProvisionTenant":
		response, err := client.ProvisionTenant(ctx, &computev1.ProvisionTenantRequest{Spec: spec(tenant)})
		if err != nil {
			return "", err
		}
		return response.Result.Status.String(), nil
	case "GetTenantStatus":
		response, err := client.GetTenantStatus(ctx, &computev1.GetTenantStatusRequest{TenantId: tenant})
		if err != nil {
			return "", err
		}
		return response.Status.State.String(), nil
	case "DestroyTenant":
		_, err := client.DestroyTenant(ctx, &computev1.DestroyTenantRequest{TenantId: tenant})
		return "", err
	}
	return "", fmt.Errorf("unknown method %q", method)
}

func main() {
	address := flag.String("addr", "127.0.0.1:50051", "server address")
	serverName := flag.String("server-name", "localhost", "name the server certificate must carry")
	ca := flag.String("ca", "", "PEM CA of the server certificate")
	cert := flag.String("cert", "", "PEM client certificate (mutual TLS)")
	key := flag.String("key", "", "PEM key of the client certificate")
	tenant := flag.String("tenant", "", "tenant id of the calls")
	flag.Parse()
	// The token comes from the environment, not the command line (which other users can see).
	connection, err := dial(*address, *serverName, *ca, *cert, *key, os.Getenv("LANDLORD_TOKEN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "landlordclient:", err)
		os.Exit(1)
	}
	defer connection.Close()
	client := computev1.NewComputeServiceClient(connection)
	for _, method := range flag.Args() {
		detail, err := call(client, method, *tenant)
		if err != nil {
			fmt.Printf("%s %s %s\n", method, status.Code(err), status.Convert(err).Message())
		} else {
			fmt.Printf("%s OK %s\n", method, detail)
		}
	}
}
