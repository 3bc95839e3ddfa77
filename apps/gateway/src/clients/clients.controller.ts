import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequiresOperation } from '../access/access.decorators';
import { ClientsService } from './clients.service';
import { BindCertificateDto, IssueKeyDto, RegisterClientDto, UpdateClientDto } from './clients.dto';

@ApiTags('clients (应用开通)')
@ApiSecurity('apiKey')
@Controller('api/v1/clients')
@RequiresOperation('admin')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Post()
  @ApiOperation({ summary: 'Register a business system; the API key is shown only in this response' })
  register(@Body() dto: RegisterClientDto) {
    return this.clients.register(dto);
  }

  @Get()
  list() {
    return this.clients.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.clients.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Enable or disable a client system' })
  update(@Param('id') id: string, @Body() dto: UpdateClientDto) {
    return this.clients.setStatus(id, dto.status);
  }

  @Post(':id/keys')
  @ApiOperation({ summary: 'Issue an additional API key (rotation: issue, switch, then revoke the old one)' })
  issueKey(@Param('id') id: string, @Body() dto: IssueKeyDto) {
    return this.clients.issueKey(id, dto.expiresAt);
  }

  @Delete(':id/credentials/:credentialId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key or client certificate credential' })
  revoke(@Param('id') id: string, @Param('credentialId') credentialId: string) {
    return this.clients.revokeCredential(id, credentialId);
  }

  @Post(':id/certificates')
  @ApiOperation({ summary: 'Register an ecert-issued certificate as the client mutual-TLS credential' })
  bindCertificate(@Param('id') id: string, @Body() dto: BindCertificateDto) {
    return this.clients.bindCertificate(id, dto.certificate);
  }
}
