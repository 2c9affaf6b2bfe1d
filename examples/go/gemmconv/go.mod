module gemmconv

go 1.19
